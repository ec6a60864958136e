//! Authentication at the HTTP edge: the extractors that turn a bearer token into the
//! application's [`Caller`] and [`Member`]. Token signing and password hashing live in the
//! application crate (`switchyard_app::auth`).

mod principal;
pub mod session_cookie;

pub use principal::{Caller, Member};
pub use switchyard_app::auth::{jwt, password};
