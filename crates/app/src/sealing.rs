//! Sealing small secrets at rest (two-factor secrets) with XChaCha20-Poly1305: a random
//! 24-byte nonce per message, stored with the ciphertext as URL-safe base64. The key is the
//! SHA-256 of a label and the configured key material, so a database alone opens nothing.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::Secret;

/// Seals and opens with one key.
pub struct Sealer(XChaCha20Poly1305);

impl Sealer {
    /// The sealer for key material (`SWITCHYARD_ENCRYPTION_KEY`, or the JWT secret).
    pub fn new(material: &Secret) -> Sealer {
        let mut hasher = Sha256::new();
        hasher.update(b"switchyard/sealing/v1\0");
        hasher.update(material.expose());
        let key: [u8; 32] = hasher.finalize().into();
        Sealer(XChaCha20Poly1305::new(&key.into()))
    }

    /// Encrypts and authenticates `plain`.
    pub fn seal(&self, plain: &[u8]) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption into a Vec cannot fail for inputs this small.
        out.extend(
            self.0
                .encrypt(&XNonce::from(nonce), plain)
                .unwrap_or_default(),
        );
        URL_SAFE_NO_PAD.encode(out)
    }

    /// The plaintext, or `None` when the text was not sealed with this key or was altered.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, cipher) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        self.0.decrypt(&XNonce::from(nonce), cipher).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_and_nothing_else() {
        let a = Sealer::new(&Secret::new(vec![1u8; 32]));
        let b = Sealer::new(&Secret::new(vec![2u8; 32]));
        let sealed = a.seal(b"totp secret");
        assert_eq!(a.open(&sealed).as_deref(), Some(&b"totp secret"[..]));
        assert!(b.open(&sealed).is_none());
        assert_ne!(a.seal(b"totp secret"), sealed, "a fresh nonce each time");
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(a.open(&URL_SAFE_NO_PAD.encode(bytes)).is_none());
    }
}
