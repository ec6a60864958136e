//! Single-use secrets sent by email (invitations, password resets): 32 random bytes, sent as
//! URL-safe base64, stored only as their SHA-256 — a leaked database does not leak links.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token: what goes in the link, and what is stored.
pub struct OneTimeToken {
    pub token: String,
    pub hash: String,
}

impl OneTimeToken {
    /// 32 bytes from the operating system's generator (through `rand`'s CSPRNG).
    pub fn generate() -> OneTimeToken {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let hash = hash(&token);
        OneTimeToken { token, hash }
    }
}

/// The stored form of a token (lower-case hex SHA-256).
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hash_stably() {
        let a = OneTimeToken::generate();
        let b = OneTimeToken::generate();
        assert_eq!(a.token.len(), 43);
        assert_ne!(a.token, b.token);
        assert_eq!(hash(&a.token), a.hash);
        assert_eq!(a.hash.len(), 64);
        assert_ne!(a.hash, b.hash);
    }
}
