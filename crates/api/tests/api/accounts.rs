//! The account lifecycle over HTTP, with emails through a real SMTP conversation: invitations
//! (accept, reuse, resend, revoke, expiry, isolation), several organizations per person and
//! switching between them, creating an organization, password change and reset, and
//! deactivation.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};
use switchyard_app::jobs::Worker;

use crate::helpers::{FIXTURE_PASSWORD, ManualClock, SmtpSink, TestApp};

/// A server with a real SMTP sink and a worker that sends what is queued.
pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) clock: Arc<ManualClock>,
    sink: SmtpSink,
    worker: Worker,
}

pub(crate) async fn setup() -> Setup {
    setup_with(|_| {}).await
}

async fn setup_with(extra: impl FnOnce(&mut switchyard_api::ApiConfig) + 'static) -> Setup {
    let sink = SmtpSink::start().await;
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap());
    let url = sink.url();
    let app = TestApp::builder()
        .clock(clock.clone())
        .config(move |c| {
            c.app.smtp_url = Some(url);
            c.app.mail_from = "Switchyard <noreply@switchyard.test>".into();
            c.app.public_url = "https://work.example.com".into();
            extra(c);
        })
        .spawn()
        .await;
    let worker = Worker::new(app.app.clone(), switchyard_app::every_handler());
    Setup {
        app,
        clock,
        sink,
        worker,
    }
}

impl Setup {
    /// The server clock's time (Unix seconds).
    pub(crate) fn clock_now(&self) -> i64 {
        use switchyard_domain::sla::Clock as _;
        self.clock.now().timestamp()
    }

    /// Sends every queued email; returns the messages received so far.
    pub(crate) async fn deliver(&self) -> Vec<String> {
        while self.worker.run_once().await.unwrap() > 0 {}
        self.sink
            .received()
            .iter()
            .map(|m| {
                m.data
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .collect()
    }

    /// The token in the newest email to `to` whose link opens `page`.
    pub(crate) async fn token_for(&self, to: &str, page: &str) -> String {
        let mails = self.deliver().await;
        let mail = mails
            .iter()
            .rev()
            .find(|m| m.contains(&format!("To: {to}")) && m.contains(page))
            .unwrap_or_else(|| panic!("no {page} email to {to} in {mails:#?}"));
        let link = format!("https://work.example.com{page}#token=");
        let start = mail.find(&link).expect("a link") + link.len();
        mail[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    async fn invite(&self, token: &str, email: &str, role: &str) -> Value {
        self.app
            .post(
                "/api/v1/invitations/",
                token,
                json!({"email": email, "role": role}),
            )
            .await
            .expect(201)
            .body
    }

    async fn accept_new(&self, token: &str, username: &str) -> crate::helpers::Resp {
        self.app
            .post_anon(
                "/api/v1/invitations/accept/",
                json!({"token": token, "username": username, "password": FIXTURE_PASSWORD}),
            )
            .await
    }

    async fn login_status(&self, username: &str, password: &str) -> u16 {
        self.app
            .post_anon(
                "/api/v1/auth/login/",
                json!({"username": username, "password": password}),
            )
            .await
            .status
    }
}

fn actions(entries: &Value) -> Vec<String> {
    entries["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_invitation_is_emailed_previewed_accepted_once_and_audited() {
    let s = setup().await;
    let org = s.app.setup_org("inv").await;
    let inv = s.invite(&org.admin, "Carol@Example.com", "engineer").await;
    assert_eq!(inv["email"], "carol@example.com");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["invited_by_name"], "inv_admin");
    assert!(inv.get("token").is_none() && inv.get("token_hash").is_none());

    let token = s.token_for("carol@example.com", "/accept-invitation").await;
    assert_eq!(token.len(), 43, "32 bytes in URL-safe base64");
    let preview = s
        .app
        .get_json(&format!("/api/v1/invitations/lookup/?token={token}"))
        .await;
    assert_eq!(
        preview,
        json!({"organization": "Org inv", "role": "engineer", "email": "carol@example.com"})
    );

    let joined = s.accept_new(&token, "carol").await.expect(201).body;
    assert_eq!(joined["user"]["role"], "engineer");
    assert_eq!(joined["user"]["email"], "carol@example.com");
    let carol = joined["tokens"]["access"].as_str().unwrap().to_string();
    let me = s
        .app
        .get("/api/v1/users/me/", &carol)
        .await
        .expect(200)
        .body;
    assert_eq!(me["organization"], org.id.as_str());
    assert_eq!(s.login_status("carol", FIXTURE_PASSWORD).await, 200);

    // The same token again, an unknown one: one and the same answer.
    let again = s.accept_new(&token, "carol2").await.expect(400);
    let unknown = s.accept_new("not-a-token", "carol3").await.expect(400);
    assert_eq!(again.body, unknown.body);
    assert_eq!(again.body["code"], "invalid_token");
    s.app
        .get(&format!("/api/v1/invitations/lookup/?token={token}"), "")
        .await
        .expect(400);

    let list = s
        .app
        .get("/api/v1/invitations/?status=accepted", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["accepted_by"], joined["user"]["id"]);
    let audit = s
        .app
        .get("/api/v1/audit-logs/?page_size=100", &org.admin)
        .await
        .expect(200)
        .body;
    let acts = actions(&audit);
    assert!(acts.contains(&"invited".to_string()), "{acts:?}");
    assert!(acts.contains(&"joined".to_string()), "{acts:?}");
    // Each step left its event in the outbox for the consumers that follow (notifications).
    let kinds: Vec<String> = s
        .app
        .pending_events()
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert!(
        kinds.ends_with(&["invitation_sent".into(), "member_joined".into()]),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn resend_kills_the_old_link_and_revoke_and_expiry_refuse_with_the_same_message() {
    let s = setup().await;
    let org = s.app.setup_org("rsd").await;
    let inv = s.invite(&org.admin, "dan@example.com", "engineer").await;
    let id = inv["id"].as_str().unwrap();
    let first = s.token_for("dan@example.com", "/accept-invitation").await;
    let resent = s
        .app
        .post(
            &format!("/api/v1/invitations/{id}/resend/"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(resent["sent_count"], 2);
    let second = s.token_for("dan@example.com", "/accept-invitation").await;
    assert_ne!(first, second);
    let old = s.accept_new(&first, "dan").await.expect(400);

    // Revoked: the new link is dead too, with the same message.
    s.app
        .delete(&format!("/api/v1/invitations/{id}/"), &org.admin)
        .await
        .expect(204);
    let revoked = s.accept_new(&second, "dan").await.expect(400);
    assert_eq!(old.body, revoked.body);
    s.app
        .delete(&format!("/api/v1/invitations/{id}/"), &org.admin)
        .await
        .expect(409);

    // Expired after seven days.
    s.invite(&org.admin, "eve@example.com", "engineer").await;
    let eve = s.token_for("eve@example.com", "/accept-invitation").await;
    s.clock.advance(Duration::days(7) + Duration::seconds(1));
    let expired = s.accept_new(&eve, "eve").await.expect(400);
    assert_eq!(expired.body, old.body);
    let listed = s
        .app
        .get("/api/v1/invitations/?status=expired", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["results"][0]["email"], "eve@example.com");
    // A new invitation to the expired address is allowed; nothing was created for eve.
    s.invite(&org.admin, "eve@example.com", "engineer").await;
    assert_eq!(s.login_status("eve", FIXTURE_PASSWORD).await, 401);
    let audit = s
        .app
        .get("/api/v1/audit-logs/?action=invitation_revoked", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(audit["count"], 1);
}

#[tokio::test]
async fn invitations_refuse_members_duplicates_and_roles_above_the_inviter_and_stay_in_their_organization()
 {
    let s = setup().await;
    let org = s.app.setup_org("rul").await;
    let (_, manager) = s.app.add_user(&org.admin, "rul_mgr", "manager").await;
    let (_, dev) = s.app.add_user(&org.admin, "rul_dev", "engineer").await;
    s.app
        .add_user_with(
            &org.admin,
            json!({"username": "frank", "email": "frank@example.com"}),
        )
        .await;
    let member = s
        .app
        .post(
            "/api/v1/invitations/",
            &org.admin,
            json!({"email": "FRANK@example.com", "role": "engineer"}),
        )
        .await
        .expect(409);
    assert_eq!(member.body["code"], "already_member");
    let inv = s.invite(&manager, "gina@example.com", "engineer").await;
    let dup = s
        .app
        .post(
            "/api/v1/invitations/",
            &org.admin,
            json!({"email": "gina@example.com", "role": "viewer"}),
        )
        .await
        .expect(409);
    assert_eq!(dup.body["code"], "invitation_pending");
    s.app
        .post(
            "/api/v1/invitations/",
            &manager,
            json!({"email": "hal@example.com", "role": "admin"}),
        )
        .await
        .expect(403);
    s.app
        .post(
            "/api/v1/invitations/",
            &dev,
            json!({"email": "hal@example.com", "role": "engineer"}),
        )
        .await
        .expect(403);
    s.app
        .post(
            "/api/v1/invitations/",
            &org.admin,
            json!({"email": "not an email", "role": "engineer"}),
        )
        .await
        .expect(400);
    s.app
        .post(
            "/api/v1/invitations/",
            &org.admin,
            json!({"email": "hal@example.com", "role": "pilot"}),
        )
        .await
        .expect(400);

    // Another organization's admin sees none of it and can change none of it.
    let other = s.app.setup_org("oth").await;
    let id = inv["id"].as_str().unwrap();
    s.app
        .post(
            &format!("/api/v1/invitations/{id}/resend/"),
            &other.admin,
            json!({}),
        )
        .await
        .expect(404);
    s.app
        .delete(&format!("/api/v1/invitations/{id}/"), &other.admin)
        .await
        .expect(404);
    let theirs = s
        .app
        .get("/api/v1/invitations/", &other.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(theirs["count"], 0);
    let ours = s
        .app
        .get("/api/v1/invitations/?status=pending", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(ours["count"], 1);
    assert_eq!(ours["results"][0]["sent_count"], 1);
}

#[tokio::test]
async fn two_concurrent_acceptances_of_one_invitation_make_one_account() {
    let s = setup().await;
    let org = s.app.setup_org("race").await;
    s.invite(&org.admin, "ida@example.com", "engineer").await;
    let token = s.token_for("ida@example.com", "/accept-invitation").await;
    let (a, b) = tokio::join!(s.accept_new(&token, "ida_a"), s.accept_new(&token, "ida_b"));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 400], "{} / {}", a.body, b.body);
    let users = s
        .app
        .get("/api/v1/users/?page_size=100", &org.admin)
        .await
        .expect(200)
        .body;
    let names: Vec<&str> = users["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .filter(|n| n.starts_with("ida"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[tokio::test]
async fn a_person_in_two_organizations_switches_and_each_token_sees_only_its_own() {
    let s = setup().await;
    let a = s.app.setup_org("orga").await;
    let b = s.app.setup_org("orgb").await;
    let (_, jo) = s
        .app
        .add_user_with(
            &a.admin,
            json!({"username": "jo", "email": "jo@example.com"}),
        )
        .await;
    s.app.create_task(&a.admin, "Task in A", json!({})).await;
    s.app.create_task(&b.admin, "Task in B", json!({})).await;
    // Jo accepts B's invitation while signed in: no new account, a second membership.
    s.invite(&b.admin, "jo@example.com", "engineer").await;
    let token = s.token_for("jo@example.com", "/accept-invitation").await;
    let joined = s
        .app
        .post("/api/v1/invitations/accept/", &jo, json!({"token": token}))
        .await
        .expect(201)
        .body;
    let jo_b = joined["tokens"]["access"].as_str().unwrap().to_string();

    let mine = s
        .app
        .get("/api/v1/auth/organizations/", &jo)
        .await
        .expect(200)
        .body;
    assert_eq!(mine["count"], 2);
    assert_eq!(mine["results"][0]["slug"], "orga");
    assert_eq!(mine["results"][0]["current"], true);
    assert_eq!(mine["results"][1]["slug"], "orgb");
    assert_eq!(mine["results"][1]["current"], false);

    let switched = s
        .app
        .post(
            "/api/v1/auth/switch-organization/",
            &jo,
            json!({"organization": b.id}),
        )
        .await
        .expect(200)
        .body;
    let via_switch = switched["access"].as_str().unwrap();
    for (token, title) in [
        (via_switch, "Task in B"),
        (jo_b.as_str(), "Task in B"),
        (jo.as_str(), "Task in A"),
    ] {
        let tasks = s.app.get("/api/v1/tasks/", token).await.expect(200).body;
        assert_eq!(tasks["count"], 1);
        assert_eq!(tasks["results"][0]["title"], title);
    }
    // A's token cannot reach B's tasks by id.
    let b_task = s.app.get("/api/v1/tasks/", &jo_b).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.app
        .get(&format!("/api/v1/tasks/{b_task}/"), &jo)
        .await
        .expect(404);
    // An organization the caller is not in, existing or not: 404.
    let c = s.app.setup_org("orgc").await;
    for org in [c.id.as_str(), "00000000-0000-0000-0000-000000000000"] {
        s.app
            .post(
                "/api/v1/auth/switch-organization/",
                &jo,
                json!({"organization": org}),
            )
            .await
            .expect(404);
    }

    // B removes Jo: B's token is refused on the next call; A's still works.
    let jo_id = joined["user"]["id"].as_str().unwrap();
    s.app
        .delete(&format!("/api/v1/users/{jo_id}/"), &b.admin)
        .await
        .expect(204);
    s.app.get("/api/v1/tasks/", &jo_b).await.expect(403);
    s.app.get("/api/v1/tasks/", &jo).await.expect(200);
    // Deleting B leaves Jo's account (still in A) alone.
    s.app
        .delete(&format!("/api/v1/organizations/{}/", b.id), &b.admin)
        .await
        .expect(204);
    assert_eq!(s.login_status("jo", FIXTURE_PASSWORD).await, 200);
}

#[tokio::test]
async fn a_member_creates_another_organization_and_becomes_its_admin() {
    let s = setup().await;
    let a = s.app.setup_org("home").await;
    let (_, dev) = s.app.add_user(&a.admin, "kim", "engineer").await;
    let created = s
        .app
        .post(
            "/api/v1/organizations/",
            &dev,
            json!({"name": "Kim's Lab", "slug": "kims-lab", "team_name": "Lab"}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(created["slug"], "kims-lab");
    assert_eq!(created["member_count"], 1);
    let taken = s
        .app
        .post(
            "/api/v1/organizations/",
            &dev,
            json!({"name": "Again", "slug": "kims-lab"}),
        )
        .await
        .expect(400);
    assert!(taken.body["errors"]["slug"].is_array(), "{}", taken.body);
    s.app
        .post(
            "/api/v1/organizations/",
            &dev,
            json!({"name": "", "slug": "x-y"}),
        )
        .await
        .expect(400);
    let lab = s
        .app
        .post(
            "/api/v1/auth/switch-organization/",
            &dev,
            json!({"organization": created["id"]}),
        )
        .await
        .expect(200)
        .body;
    let lab = lab["access"].as_str().unwrap();
    let me = s.app.get("/api/v1/users/me/", lab).await.expect(200).body;
    assert_eq!(me["role"], "admin");
    let workflows = s.app.get("/api/v1/workflows/", lab).await.expect(200).body;
    assert_eq!(workflows["results"][0]["is_default"], true);
    // The old token still acts in the first organization, as an engineer.
    let me = s.app.get("/api/v1/users/me/", &dev).await.expect(200).body;
    assert_eq!(me["role"], "engineer");
}

#[tokio::test]
async fn creating_an_organization_follows_the_setup_switch() {
    let s = setup_with(|c| c.app.allow_setup = false).await;
    let (_, pair) = switchyard_app::auth::register(
        &s.app.app,
        "loner".into(),
        FIXTURE_PASSWORD.into(),
        String::new(),
    )
    .await
    .unwrap();
    s.app
        .post(
            "/api/v1/organizations/",
            &pair.access,
            json!({"name": "Nope", "slug": "nope"}),
        )
        .await
        .expect(403);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let s = setup().await;
    let org = s.app.setup_org("pwd").await;
    let old_refresh = org.refresh.clone();
    let wrong = s
        .app
        .post(
            "/api/v1/auth/change-password/",
            &org.admin,
            json!({"current_password": "nope-nope-nope", "new_password": "a-brand-new-secret-9"}),
        )
        .await
        .expect(400);
    assert!(wrong.body["errors"]["current_password"].is_array());
    let weak = s
        .app
        .post(
            "/api/v1/auth/change-password/",
            &org.admin,
            json!({"current_password": FIXTURE_PASSWORD, "new_password": "short"}),
        )
        .await
        .expect(400);
    assert!(weak.body["errors"]["new_password"].is_array());
    let changed = s
        .app
        .post(
            "/api/v1/auth/change-password/",
            &org.admin,
            json!({"current_password": FIXTURE_PASSWORD, "new_password": "a-brand-new-secret-9"}),
        )
        .await
        .expect(200)
        .body;
    // The old access and refresh tokens are dead; the new pair works.
    s.app.get("/api/v1/tasks/", &org.admin).await.expect(401);
    s.app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": old_refresh}))
        .await
        .expect(401);
    let new_access = changed["access"].as_str().unwrap();
    s.app.get("/api/v1/tasks/", new_access).await.expect(200);
    s.app
        .post_anon(
            "/api/v1/auth/refresh/",
            json!({"refresh": changed["refresh"]}),
        )
        .await
        .expect(200);
    assert_eq!(s.login_status("pwd_admin", FIXTURE_PASSWORD).await, 401);
    assert_eq!(
        s.login_status("pwd_admin", "a-brand-new-secret-9").await,
        200
    );
}

#[tokio::test]
async fn a_password_reset_is_indistinguishable_for_unknown_emails_and_works_once() {
    let s = setup().await;
    let org = s.app.setup_org("rst").await;
    let (_, lee) = s
        .app
        .add_user_with(
            &org.admin,
            json!({"username": "lee", "email": "lee@example.com"}),
        )
        .await;
    let unknown = s
        .app
        .post_anon(
            "/api/v1/auth/password-reset/",
            json!({"email": "nobody@example.com"}),
        )
        .await
        .expect(200);
    assert!(
        s.deliver().await.is_empty(),
        "no email for an unknown address"
    );
    let known = s
        .app
        .post_anon(
            "/api/v1/auth/password-reset/",
            json!({"email": "LEE@example.com"}),
        )
        .await
        .expect(200);
    assert_eq!(unknown.body, known.body);
    let token = s.token_for("lee@example.com", "/reset-password").await;

    let weak = s
        .app
        .post_anon(
            "/api/v1/auth/password-reset/confirm/",
            json!({"token": token, "new_password": "lee"}),
        )
        .await
        .expect(400);
    assert!(weak.body["errors"]["new_password"].is_array());
    s.app
        .post_anon(
            "/api/v1/auth/password-reset/confirm/",
            json!({"token": token, "new_password": "Violet-Harbor-2031"}),
        )
        .await
        .expect(200);
    s.app.get("/api/v1/tasks/", &lee).await.expect(401);
    assert_eq!(s.login_status("lee", FIXTURE_PASSWORD).await, 401);
    assert_eq!(s.login_status("lee", "Violet-Harbor-2031").await, 200);
    let reused = s
        .app
        .post_anon(
            "/api/v1/auth/password-reset/confirm/",
            json!({"token": token, "new_password": "another-password-2"}),
        )
        .await
        .expect(400);
    assert_eq!(reused.body["code"], "invalid_token");

    // A link older than an hour is dead.
    s.app
        .post_anon(
            "/api/v1/auth/password-reset/",
            json!({"email": "lee@example.com"}),
        )
        .await
        .expect(200);
    let late = s.token_for("lee@example.com", "/reset-password").await;
    s.clock.advance(Duration::minutes(61));
    let expired = s
        .app
        .post_anon(
            "/api/v1/auth/password-reset/confirm/",
            json!({"token": late, "new_password": "another-password-2"}),
        )
        .await
        .expect(400);
    assert_eq!(expired.body, reused.body);
}

#[tokio::test]
async fn reset_requests_are_limited_per_address_whether_or_not_it_exists() {
    let s = setup().await;
    let mut last = 0;
    for _ in 0..6 {
        last = s
            .app
            .post_anon(
                "/api/v1/auth/password-reset/",
                json!({"email": "ghost@example.com"}),
            )
            .await
            .status;
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn deactivation_stops_tokens_at_once_releases_work_and_reactivation_restores_sign_in() {
    let s = setup().await;
    let org = s.app.setup_org("dea").await;
    let (mo_id, mo) = s.app.add_user(&org.admin, "mo", "engineer").await;
    let task = s.app.create_task(&org.admin, "Mo's task", json!({})).await;
    let task_id = task["id"].as_str().unwrap();
    s.app
        .post(
            &format!("/api/v1/tasks/{task_id}/assign/"),
            &org.admin,
            json!({"user_id": mo_id}),
        )
        .await
        .expect(200);
    s.app
        .post(
            &format!("/api/v1/users/{mo_id}/deactivate/"),
            &mo,
            json!({}),
        )
        .await
        .expect(403);
    let out = s
        .app
        .post(
            &format!("/api/v1/users/{mo_id}/deactivate/"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(out["is_active"], false);
    assert_eq!(out["active_task_count"], 0);
    s.app.get("/api/v1/tasks/", &mo).await.expect(401);
    assert_eq!(s.login_status("mo", FIXTURE_PASSWORD).await, 401);
    let detail = s
        .app
        .get(&format!("/api/v1/tasks/{task_id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert!(detail["assigned_to"].is_null());
    let audit = s.app.audit_of(&org.admin, task_id).await;
    assert_eq!(audit[0]["action"], "assigned");
    assert_eq!(audit[0]["reason"], "Released: the assignee was deactivated");
    let refused = s
        .app
        .post(
            &format!("/api/v1/tasks/{task_id}/assign/"),
            &org.admin,
            json!({"user_id": mo_id}),
        )
        .await
        .expect(400);
    assert_eq!(
        refused.body["detail"],
        "mo is deactivated and cannot be assigned tasks."
    );
    // Their history stays: the person is still listed, inactive.
    let listed = s
        .app
        .get(&format!("/api/v1/users/{mo_id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["is_active"], false);
    // The admin cannot deactivate themselves.
    s.app
        .post(
            &format!("/api/v1/users/{}/deactivate/", org.admin_id),
            &org.admin,
            json!({}),
        )
        .await
        .expect(400);

    s.app
        .post(
            &format!("/api/v1/users/{mo_id}/reactivate/"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(s.login_status("mo", FIXTURE_PASSWORD).await, 200);
    let acts = s
        .app
        .get("/api/v1/audit-logs/?page_size=100", &org.admin)
        .await
        .expect(200)
        .body;
    let acts = actions(&acts);
    assert!(acts.contains(&"deactivated".to_string()) && acts.contains(&"reactivated".to_string()));
    // Another organization's admin cannot touch Mo.
    let other = s.app.setup_org("dea2").await;
    s.app
        .post(
            &format!("/api/v1/users/{mo_id}/deactivate/"),
            &other.admin,
            json!({}),
        )
        .await
        .expect(404);
}

#[tokio::test]
async fn nobody_but_the_holder_changes_an_accounts_email_and_long_addresses_do_not_break_reset() {
    let s = setup().await;
    let org = s.app.setup_org("own").await;
    let (pat, pat_token) = s
        .app
        .add_user_with(
            &org.admin,
            json!({"username": "pat", "email": "pat@example.com"}),
        )
        .await;
    // The address receives reset links: an admin setting it could take the account over.
    let refused = s
        .app
        .patch(
            &format!("/api/v1/users/{pat}/"),
            &org.admin,
            json!({"email": "admin-owned@example.com"}),
        )
        .await
        .expect(403);
    assert_eq!(
        refused.detail(),
        "Only the account holder can change their email address."
    );
    // Unchanged is fine (forms send every field); the holder changes it.
    s.app
        .patch(
            &format!("/api/v1/users/{pat}/"),
            &org.admin,
            json!({"email": "PAT@example.com", "skills": ["go"]}),
        )
        .await
        .expect(200);
    s.app
        .patch(
            &format!("/api/v1/users/{pat}/"),
            &pat_token,
            json!({"email": "pat@new.example.com"}),
        )
        .await
        .expect(200);
    let long = format!("{}@example.com", "a".repeat(240));
    s.app
        .post_anon("/api/v1/auth/password-reset/", json!({"email": long}))
        .await
        .expect(200);
}
