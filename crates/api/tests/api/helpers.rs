//! The shared test support (`crates/test-support`): a real server per test on its own fresh
//! database, driven over HTTP, with fixtures written through the application layer.

pub use switchyard_test_support::*;
