//! Test support shared by every Switchyard test binary.
//!
//! - [`FreshDb`]: a database of its own per test, on the backend `TEST_DATABASE_URL` selects
//!   (PostgreSQL when set, a SQLite file otherwise), removed when the test ends, even on panic.
//! - [`TestApp`]: the real router served on an ephemeral port over a [`FreshDb`], built with
//!   [`TestApp::builder`] (configuration, a [`ManualClock`]); it records every committed
//!   domain event ([`CommitLog`]) and can assert that no outbox row was left.
//! - Fixtures written through the application and store layers: organizations through the
//!   setup use case, members straight into the store with a password hash computed once per
//!   process, tokens signed by the application — no HTTP round trip and no argon2 per user.

mod clock;
mod db;
mod fixtures;
mod http;
mod process;
mod server;
mod smtp;

pub use clock::ManualClock;
pub use db::{FreshDb, expected_backend};
pub use fixtures::{FIXTURE_PASSWORD, Org};
pub use http::Resp;
pub use process::{
    PROCESS_PASSWORD, PROCESS_SECRET, ServeProcess, create_task, setup_org, task_count,
};
/// The HTTP client the helpers use, for tests that drive a server process.
pub use reqwest;
pub use server::{CommitLog, TestApp, TestAppBuilder};
pub use smtp::{Received, SmtpSink};
