//! Authentication: JWT issuing and verification, password hashing, the caller extractor.

pub mod jwt;
pub mod password;
mod principal;

pub use principal::{Caller, Member};
