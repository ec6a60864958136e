//! The password policy: long enough, not all digits, not common, not like the username.

use thiserror::Error;

/// Why a new password was refused; the message is shown to the user.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("This password is too short. It must contain at least 8 characters.")]
    TooShort,
    #[error("This password is too long. It must contain at most 128 characters.")]
    TooLong,
    #[error("This password is entirely numeric.")]
    AllDigits,
    #[error("This password is too common.")]
    TooCommon,
    #[error("The password is too similar to the username.")]
    TooSimilar,
}

/// A short list of the most used passwords (the classic top of breach lists).
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty123",
    "qwertyuiop",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "admin123",
    "administrator",
    "letmein1",
    "trustno1",
    "passw0rd",
    "abc12345",
    "abcd1234",
    "changeme",
    "monkey123",
    "dragon123",
    "master123",
    "superman",
    "starwars",
    "whatever",
    "11111111",
    "00000000",
    "asdfghjkl",
    "zxcvbnm1",
    "qwerty12",
    "p@ssw0rd",
    "football1",
    "secret123",
    "login123",
    "test1234",
    "testtest",
    "computer",
    "internet",
];

/// Checks `password` for the account `username`.
pub fn check(password: &str, username: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < 8 {
        return Err(PasswordError::TooShort);
    }
    if len > 128 {
        return Err(PasswordError::TooLong);
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(PasswordError::AllDigits);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err(PasswordError::TooCommon);
    }
    let user = username.to_lowercase();
    if user.len() >= 3 && (lower.contains(&user) || user.contains(&lower)) {
        return Err(PasswordError::TooSimilar);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("short", "bob"), Err(PasswordError::TooShort));
        assert_eq!(check("1234567890123", "bob"), Err(PasswordError::AllDigits));
        assert_eq!(check("Password123", "bob"), Err(PasswordError::TooCommon));
        assert_eq!(
            check("alice_smith99", "alice_smith"),
            Err(PasswordError::TooSimilar)
        );
        assert_eq!(check("testpass123", "admin_user"), Ok(()));
        assert_eq!(check("correct horse battery", "bob"), Ok(()));
    }
}
