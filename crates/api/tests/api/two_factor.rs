//! Two-factor sign-in over HTTP with a controllable clock: enrolment, a sign-in with a code,
//! a replayed code refused, a recovery code that works once, wrong codes counting toward the
//! sign-in limit, turning it off, and the notices in a real SMTP sink.

use chrono::Duration;
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{accounts, helpers::FIXTURE_PASSWORD};

/// The code an authenticator app shows for `secret` (base32) at the server's clock time.
pub(crate) fn code_at(secret: &str, unix: i64) -> String {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, "x".into())
        .unwrap()
        .generate(unix as u64)
}

async fn login(s: &accounts::Setup, username: &str) -> Value {
    s.app
        .post_anon(
            "/api/v1/auth/login/",
            json!({"username": username, "password": FIXTURE_PASSWORD}),
        )
        .await
        .expect(200)
        .body
}

#[tokio::test]
async fn enrol_sign_in_with_a_code_refuse_its_replay_and_use_a_recovery_code_once() {
    let s = accounts::setup().await;
    let org = s.app.setup_org("mfa").await;
    let (_, ann) = s
        .app
        .add_user_with(
            &org.admin,
            json!({"username": "ann", "email": "ann@example.com"}),
        )
        .await;
    let enrol = s
        .app
        .post("/api/v1/auth/2fa/setup/", &ann, json!({}))
        .await
        .expect(200)
        .body;
    let secret = enrol["secret"].as_str().unwrap().to_string();
    assert!(
        enrol["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Switchyard:ann?")
    );
    assert!(enrol["qr_svg"].as_str().unwrap().contains("<svg"));
    // Not on until confirmed: the password alone still signs in.
    assert!(login(&s, "ann").await["access"].is_string());

    let now = s.clock_now();
    s.app
        .post("/api/v1/auth/2fa/confirm/", &ann, json!({"code": "000000"}))
        .await
        .expect(400);
    let confirmed = s
        .app
        .post(
            "/api/v1/auth/2fa/confirm/",
            &ann,
            json!({"code": code_at(&secret, now)}),
        )
        .await
        .expect(200)
        .body;
    let recovery: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    // Every other session ended; the confirming one goes on with the new pair.
    s.app.get("/api/v1/users/me/", &ann).await.expect(401);
    let ann = confirmed["access"].as_str().unwrap().to_string();
    let me = s.app.get("/api/v1/users/me/", &ann).await.expect(200).body;
    assert_eq!(me["two_factor_enabled"], true);
    s.app
        .post("/api/v1/auth/2fa/setup/", &ann, json!({}))
        .await
        .expect(409);

    // The password now leads to the second step, not to tokens.
    s.clock.advance(Duration::seconds(30));
    let first = login(&s, "ann").await;
    assert_eq!(first["mfa_required"], true);
    assert!(first.get("access").is_none());
    let mfa = first["mfa_token"].as_str().unwrap().to_string();
    // An mfa token is not an access token.
    s.app.get("/api/v1/tasks/", &mfa).await.expect(401);
    let code = code_at(&secret, s.clock_now());
    let pair = s
        .app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": mfa, "code": code}),
        )
        .await
        .expect(200)
        .body;
    s.app
        .get("/api/v1/tasks/", pair["access"].as_str().unwrap())
        .await
        .expect(200);
    // The same mfa token again is dead; the same code with a new one is a replay.
    s.app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": mfa, "code": code}),
        )
        .await
        .expect(401);
    let again = login(&s, "ann").await["mfa_token"]
        .as_str()
        .unwrap()
        .to_string();
    let replay = s
        .app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": again, "code": code}),
        )
        .await
        .expect(400);
    assert_eq!(replay.body["code"], "invalid_code");
    // A recovery code works once (any case, with or without its dash).
    let rc = recovery[3].to_uppercase().replace('-', "");
    s.app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": again, "recovery_code": rc}),
        )
        .await
        .expect(200);
    let third = login(&s, "ann").await["mfa_token"]
        .as_str()
        .unwrap()
        .to_string();
    s.app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": third, "recovery_code": recovery[3]}),
        )
        .await
        .expect(400);

    // Turning it off needs the password and a code; afterwards the password alone works.
    s.clock.advance(Duration::seconds(30));
    let access = pair["access"].as_str().unwrap();
    s.app
        .post(
            "/api/v1/auth/2fa/disable/",
            access,
            json!({"password": "wrong-password-1", "code": code_at(&secret, s.clock_now())}),
        )
        .await
        .expect(400);
    s.app
        .post(
            "/api/v1/auth/2fa/disable/",
            access,
            json!({"password": FIXTURE_PASSWORD, "code": code_at(&secret, s.clock_now())}),
        )
        .await
        .expect(200);
    assert!(login(&s, "ann").await["access"].is_string());

    // Both changes were announced by email; nothing in the database holds a plain secret.
    let mails = s.deliver().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Two-factor sign-in is on"))
    );
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Two-factor sign-in is off"))
    );
}

#[tokio::test]
async fn wrong_codes_count_toward_the_sign_in_limit() {
    let s = accounts::setup().await;
    let org = s.app.setup_org("mfb").await;
    let (_, bo) = s.app.add_user(&org.admin, "bo", "engineer").await;
    let secret = s
        .app
        .post("/api/v1/auth/2fa/setup/", &bo, json!({}))
        .await
        .expect(200)
        .body["secret"]
        .as_str()
        .unwrap()
        .to_string();
    s.app
        .post(
            "/api/v1/auth/2fa/confirm/",
            &bo,
            json!({"code": code_at(&secret, s.clock_now())}),
        )
        .await
        .expect(200);
    let mfa = login(&s, "bo").await["mfa_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            s.app
                .post_anon(
                    "/api/v1/auth/login/2fa/",
                    json!({"mfa_token": mfa, "code": "123456"}),
                )
                .await
                .status,
        );
    }
    assert_eq!(statuses[..10], [400; 10]);
    assert_eq!(statuses[10], 429);
    // The right code is refused too while the account is locked.
    s.clock.advance(Duration::seconds(30));
    s.app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": mfa, "code": code_at(&secret, s.clock_now())}),
        )
        .await
        .expect(429);
}

/// Enrols the caller of `token`; returns their secret and the new access and refresh tokens
/// (enrolling ends the account's other sessions).
async fn enrol(s: &accounts::Setup, token: &str) -> (String, String, String) {
    let secret = s
        .app
        .post("/api/v1/auth/2fa/setup/", token, json!({}))
        .await
        .expect(200)
        .body["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let pair = s
        .app
        .post(
            "/api/v1/auth/2fa/confirm/",
            token,
            json!({"code": code_at(&secret, s.clock_now())}),
        )
        .await
        .expect(200)
        .body;
    (
        secret,
        pair["access"].as_str().unwrap().to_string(),
        pair["refresh"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn an_organization_that_requires_two_factor_turns_away_members_without_it() {
    let s = accounts::setup().await;
    let org = s.app.setup_org("mfc").await;
    let (_, cy) = s.app.add_user(&org.admin, "cy", "engineer").await;
    let path = format!("/api/v1/organizations/{}/", org.id);
    let refused = s
        .app
        .patch(&path, &org.admin, json!({"require_two_factor": true}))
        .await
        .expect(400);
    assert!(refused.body["errors"]["require_two_factor"].is_array());
    let (_, admin, _) = enrol(&s, &org.admin).await;
    let on = s
        .app
        .patch(&path, &admin, json!({"require_two_factor": true}))
        .await
        .expect(200)
        .body;
    assert_eq!(on["require_two_factor"], true);

    // Cy may manage their own account but not act in the organization until enrolled.
    let blocked = s.app.get("/api/v1/tasks/", &cy).await.expect(403);
    assert!(blocked.detail().contains("requires two-factor sign-in"));
    s.app.get("/api/v1/users/me/", &cy).await.expect(200);
    s.clock.advance(Duration::seconds(30));
    let (secret, cy_2fa, cy_refresh) = enrol(&s, &cy).await;
    // The token from before enrolment is dead; the new one (and its refresh) passed a factor.
    s.app.get("/api/v1/tasks/", &cy).await.expect(401);
    s.app.get("/api/v1/tasks/", &cy_2fa).await.expect(200);
    let refreshed = s
        .app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": cy_refresh}))
        .await
        .expect(200)
        .body;
    s.app
        .get("/api/v1/tasks/", refreshed["access"].as_str().unwrap())
        .await
        .expect(200);
    // A fresh sign-in with the password alone gets no organization access: it must pass the
    // code step, whose tokens do.
    let first = login(&s, "cy").await;
    assert_eq!(first["mfa_required"], true);
    s.clock.advance(Duration::seconds(30));
    let pair = s
        .app
        .post_anon(
            "/api/v1/auth/login/2fa/",
            json!({"mfa_token": first["mfa_token"], "code": code_at(&secret, s.clock_now())}),
        )
        .await
        .expect(200)
        .body;
    s.app
        .get("/api/v1/tasks/", pair["access"].as_str().unwrap())
        .await
        .expect(200);
    // Another organization's admin cannot flip the switch.
    let other = s.app.setup_org("mfd").await;
    s.app
        .patch(&path, &other.admin, json!({"require_two_factor": false}))
        .await
        .expect(404);
}
