//! Switchyard's business rules as pure functions: no I/O, no async.
//!
//! The store loads data, the api asks these functions for a decision and writes the
//! outcome. Keeping the rules here lets them be unit- and property-tested in isolation.

pub mod access;
pub mod ai;
pub mod password;
pub mod rules;
pub mod sla;
pub mod validate;
pub mod workflow;

pub use access::AccessLevel;
