//! Two-factor sign-in with time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way), as every authenticator app speaks it.
//!
//! Enrolment is two calls (set up, then confirm with a first code, which also hands out ten
//! single-use recovery codes once). Each code is accepted once: the newest accepted step is
//! kept and only later steps pass, so a code overheard cannot be replayed in its window.
//! The secret is sealed at rest ([`Sealer`]); recovery codes are stored as SHA-256 hashes.

use qrcode::{QrCode, render::svg};
use rand::RngCore;
use switchyard_store::{two_factor, users};
use totp_rs::{Algorithm, TOTP};

use crate::{
    App, AppError, AppResult, Caller, ErrorCode, UnitOfWork,
    auth::{TokenPair, password},
    mail::{self, AccountEmail},
    one_time,
    sealing::Sealer,
};

const ISSUER: &str = "Switchyard";
const STEP: u64 = 30;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// What an authenticator app needs, shown once at set-up.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// The `otpauth://` URL as a QR code, an SVG document.
    pub qr_svg: String,
}

fn totp(secret: Vec<u8>, account: &str) -> AppResult<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        secret,
        Some(ISSUER.into()),
        account.replace(':', "_"),
    )
    .map_err(|e| AppError::Internal(format!("totp: {e:?}")))
}

fn invalid_code() -> AppError {
    AppError::field_coded(
        ErrorCode::InvalidCode,
        "code",
        "The code is not valid or was already used. Check your device's clock and try again.",
    )
}

/// The 30-second step whose code `code` is, within one step of `now` (Unix seconds).
fn matching_step(totp: &TOTP, code: &str, now: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [now.saturating_sub(STEP), now, now + STEP]
        .into_iter()
        .find(|t| constant_time_eq(totp.generate(*t).as_bytes(), code.as_bytes()))
        .map(|t| (t / STEP) as i64)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Starts enrolment: a new secret (replacing an unconfirmed one). 409 when already on.
pub async fn setup(state: &App, caller: &Caller) -> AppResult<Enrolment> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    let sealed = Sealer::new(&state.settings.encryption_key).seal(&secret);
    let uow = UnitOfWork::begin(state).await?;
    if !two_factor::begin_enrolment(uow.tx(), caller.user_id, &sealed).await? {
        return Err(AppError::conflict(
            ErrorCode::Conflict,
            "Two-factor sign-in is already on; turn it off first to enrol a new device.",
        ));
    }
    uow.commit().await?;
    let totp = totp(secret, &caller.username)?;
    let otpauth_url = totp.get_url();
    let qr_svg = QrCode::new(otpauth_url.as_bytes())
        .map_err(|e| AppError::Internal(format!("qr: {e}")))?
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret: totp.get_secret_base32(),
        otpauth_url,
        qr_svg,
    })
}

/// The account's TOTP and its record, when it has one.
async fn load(
    state: &App,
    user_id: uuid::Uuid,
    username: &str,
) -> AppResult<Option<(TOTP, two_factor::TwoFactorRow)>> {
    let Some(row) = two_factor::get(state.db.conn(), user_id).await? else {
        return Ok(None);
    };
    let secret = Sealer::new(&state.settings.encryption_key)
        .open(&row.secret_sealed)
        .ok_or_else(|| {
            AppError::Internal("a two-factor secret does not open with the configured key".into())
        })?;
    Ok(Some((totp(secret, username)?, row)))
}

/// Whether the account signs in with a second factor.
pub async fn is_enabled(state: &App, user_id: uuid::Uuid) -> AppResult<bool> {
    Ok(two_factor::get(state.db.conn(), user_id)
        .await?
        .is_some_and(|r| r.enabled_at.is_some()))
}

/// Checks a code and spends its step, in `uow`: a code is accepted once.
async fn spend_code(
    state: &App,
    uow: &UnitOfWork,
    user_id: uuid::Uuid,
    totp: &TOTP,
    code: &str,
) -> AppResult<bool> {
    let now = state.clock.now().timestamp().max(0) as u64;
    let Some(step) = matching_step(totp, code, now) else {
        return Ok(false);
    };
    Ok(two_factor::accept_step(uow.tx(), user_id, step).await?)
}

/// Confirms enrolment with a first code: two-factor sign-in is on from now, every other
/// session of the account ends, and the caller gets a pair that counts as two-factor for
/// this session, with the ten recovery codes (the only time they are shown).
pub async fn confirm(
    state: &App,
    caller: &Caller,
    code: &str,
) -> AppResult<(Vec<String>, TokenPair)> {
    let (totp, row) = load(state, caller.user_id, &caller.username)
        .await?
        .ok_or_else(|| {
            AppError::bad_request(
                ErrorCode::Invalid,
                "Start with POST /api/v1/auth/2fa/setup/.",
            )
        })?;
    if row.enabled_at.is_some() {
        return Err(AppError::conflict(
            ErrorCode::Conflict,
            "Two-factor sign-in is already on.",
        ));
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| one_time::hash(&normalize(c)))
        .collect();
    let uow = UnitOfWork::begin(state).await?;
    if !spend_code(state, &uow, caller.user_id, &totp, code).await? {
        return Err(invalid_code());
    }
    // Only the secret this code was checked against: a concurrent set-up replaced nothing.
    if !two_factor::enable(uow.tx(), caller.user_id, &row.secret_sealed, &hashes).await? {
        return Err(AppError::conflict(
            ErrorCode::Conflict,
            "Two-factor sign-in is already on.",
        ));
    }
    notice(state, &uow, caller, true).await?;
    users::end_sessions(uow.tx(), caller.user_id).await?;
    let second = Caller {
        second_factor: true,
        ..caller.clone()
    };
    let org = caller.member.as_ref().map(|m| m.tenant.id());
    let pair = crate::auth::issue_pair_as(state, uow.tx(), &second, org).await?;
    uow.commit().await?;
    Ok((codes, pair))
}

/// Turns two-factor sign-in off, with the password and a current code (or a recovery code).
pub async fn disable(
    state: &App,
    caller: &Caller,
    password_text: String,
    code: &str,
) -> AppResult<()> {
    crate::throttle::check(state, &format!("2fa:disable:{}", caller.user_id), 10, 3600).await?;
    let (_, hash) = users::credentials_by_id(state.db.conn(), caller.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(password_text, Some(hash)).await {
        return Err(AppError::field("password", "Your password is incorrect."));
    }
    let Some((totp, row)) = load(state, caller.user_id, &caller.username).await? else {
        return Err(AppError::bad_request(
            ErrorCode::Invalid,
            "Two-factor sign-in is not on.",
        ));
    };
    if row.enabled_at.is_none() {
        return Err(AppError::bad_request(
            ErrorCode::Invalid,
            "Two-factor sign-in is not on.",
        ));
    }
    let uow = UnitOfWork::begin(state).await?;
    let ok = spend_code(state, &uow, caller.user_id, &totp, code).await?
        || two_factor::use_recovery_code(
            uow.tx(),
            caller.user_id,
            &one_time::hash(&normalize(code)),
        )
        .await?;
    if !ok {
        return Err(invalid_code());
    }
    two_factor::disable(uow.tx(), caller.user_id).await?;
    notice(state, &uow, caller, false).await?;
    uow.commit().await?;
    Ok(())
}

/// The second step of a sign-in: a current code or an unused recovery code, spent in `uow`.
pub async fn verify_for_login(
    state: &App,
    uow: &UnitOfWork,
    user_id: uuid::Uuid,
    username: &str,
    code: Option<&str>,
    recovery_code: Option<&str>,
) -> AppResult<bool> {
    let Some((totp, row)) = load(state, user_id, username).await? else {
        return Ok(false);
    };
    if row.enabled_at.is_none() {
        return Ok(false);
    }
    if let Some(code) = code.filter(|c| !c.trim().is_empty()) {
        return spend_code(state, uow, user_id, &totp, code).await;
    }
    match recovery_code.filter(|c| !c.trim().is_empty()) {
        Some(rc) => {
            Ok(
                two_factor::use_recovery_code(uow.tx(), user_id, &one_time::hash(&normalize(rc)))
                    .await?,
            )
        }
        None => Ok(false),
    }
}

/// A recovery code: 10 characters of an unambiguous alphabet, shown as `xxxxx-xxxxx`.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Recovery codes compare without case, spaces or dashes.
fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Tells the account's email address that two-factor sign-in was turned on or off.
async fn notice(state: &App, uow: &UnitOfWork, caller: &Caller, on: bool) -> AppResult<()> {
    let Some(me) = users::get_unaffiliated(uow.tx(), caller.user_id).await? else {
        return Ok(());
    };
    if me.email.is_empty() {
        return Ok(());
    }
    let (subject, message) = if on {
        (
            "Two-factor sign-in is on",
            "Two-factor sign-in was turned on for your Switchyard account. Signing in now needs a code from your authenticator app.",
        )
    } else {
        (
            "Two-factor sign-in is off",
            "Two-factor sign-in was turned off for your Switchyard account. If it was not you, change your password now.",
        )
    };
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let email = mail::account_message(
        state,
        &AccountEmail {
            purpose: if on {
                "two_factor_on"
            } else {
                "two_factor_off"
            },
            to_email: &me.email,
            to_name: &me.username,
            subject: subject.into(),
            message: message.into(),
            action: "Review your account",
            path: "/#/profile".into(),
            footer: "You get this notice whenever two-factor sign-in changes.",
            unique: unique.clone(),
        },
    );
    uow.enqueue(mail::email_job(state, email, None, &unique))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let t = totp(vec![7u8; 20], "ann").unwrap();
        let now = 1_800_000_000u64;
        let code = t.generate(now);
        assert_eq!(matching_step(&t, &code, now), Some((now / 30) as i64));
        assert_eq!(matching_step(&t, &code, now + 30), Some((now / 30) as i64));
        assert_eq!(matching_step(&t, &code, now + 90), None);
        assert_eq!(matching_step(&t, "12345", now), None);
        assert_eq!(matching_step(&t, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_are_random_and_compare_loosely() {
        let a = recovery_code();
        assert_eq!(a.len(), 11);
        assert_ne!(a, recovery_code());
        assert_eq!(
            normalize(&a.to_uppercase()),
            normalize(&a.replace('-', " "))
        );
    }
}
