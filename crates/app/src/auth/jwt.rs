//! Signed access and refresh tokens (HS256) with every registered claim checked.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Secret;

const ISSUER: &str = "switchyard";
const AUDIENCE: &str = "switchyard-api";

/// Which kind of token: an access token is never accepted where a refresh token is, and
/// the reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
    /// Proof that the password was right, good only for the second sign-in step.
    Mfa,
}

/// The claims Switchyard signs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    /// The organization the token acts in (none for a user without one).
    pub org: Option<Uuid>,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
    pub typ: TokenType,
    /// The account's session epoch at issue: a password change or reset moves it on and
    /// every older token stops working.
    #[serde(default)]
    pub epoch: i64,
    /// Whether the sign-in behind this token passed a second factor (organizations that
    /// require two-factor sign-in accept only such tokens).
    #[serde(default)]
    pub mfa: bool,
}

impl Claims {
    /// When the token stops being valid.
    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or_else(Utc::now)
    }

    /// Whom the token acts for, as the principal lookup takes it.
    pub fn subject(&self) -> switchyard_store::principal::TokenSubject {
        switchyard_store::principal::TokenSubject {
            user_id: self.sub,
            organization_id: self.org,
            jti: self.jti,
            epoch: self.epoch,
            mfa: self.mfa,
        }
    }
}

/// Whom a new token is for.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub user: Uuid,
    pub org: Option<Uuid>,
    pub epoch: i64,
    /// The sign-in passed a second factor.
    pub mfa: bool,
}

/// Keys derived once from the configured secret.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    /// Derives signing and verification keys.
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub", "jti"]);
        validation.leeway = 0;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            validation,
        }
    }

    /// Signs a token of `typ` for `who`, living `ttl`.
    pub fn issue(
        &self,
        typ: TokenType,
        who: Subject,
        ttl: std::time::Duration,
    ) -> (String, Claims) {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: who.user,
            org: who.org,
            iat: now,
            exp: now + ttl.as_secs() as i64,
            jti: Uuid::new_v4(),
            typ,
            epoch: who.epoch,
            mfa: who.mfa,
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_default();
        (token, claims)
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and type.
    pub fn verify(&self, token: &str, typ: TokenType) -> Option<Claims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == typ).then_some(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_type_separation() {
        let keys = JwtKeys::new(&Secret::new(vec![7u8; 32]));
        let user = Uuid::new_v4();
        let who = Subject {
            user,
            org: None,
            epoch: 0,
            mfa: false,
        };
        let (access, _) = keys.issue(TokenType::Access, who, std::time::Duration::from_secs(60));
        assert_eq!(
            keys.verify(&access, TokenType::Access).map(|c| c.sub),
            Some(user)
        );
        assert!(keys.verify(&access, TokenType::Refresh).is_none());
        let other = JwtKeys::new(&Secret::new(vec![8u8; 32]));
        assert!(other.verify(&access, TokenType::Access).is_none());
        let (expired, _) = keys.issue(TokenType::Access, who, std::time::Duration::from_secs(0));
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert!(keys.verify(&expired, TokenType::Access).is_none());
    }
}
