//! The application handle every use case receives: the database, the settings, the token
//! keys, the clock and the hooks that run after a unit of work commits.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use switchyard_domain::sla::Clock;
use switchyard_store::Db;

use crate::{Settings, auth::jwt::JwtKeys, uow::Recorded};

/// Runs after a unit of work committed, with the events it recorded (never before the
/// commit, never for a unit of work that failed). Hooks must be quick and must not fail:
/// durable follow-up work belongs in the outbox the same commit wrote.
pub trait AfterCommit: Send + Sync {
    /// Called once per committed unit of work that recorded at least one event.
    fn after_commit(&self, events: &[Recorded]);
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        switchyard_store::now()
    }
}

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub keys: Arc<JwtKeys>,
    /// "Now" for SLA and scoring decisions; tests replace it to move time.
    pub clock: Arc<dyn Clock>,
    /// Where email goes (SMTP, or the log).
    pub mailer: crate::mail::Mailer,
    /// Where files go (object storage).
    pub files: crate::files::Files,
    pub(crate) hooks: Arc<Vec<Arc<dyn AfterCommit>>>,
}

impl App {
    /// Builds the handle with the wall clock and no hooks.
    pub fn new(db: Db, settings: Settings) -> Self {
        let keys = Arc::new(JwtKeys::new(&settings.jwt_secret));
        let mailer = crate::mail::Mailer::new(settings.smtp_url.as_deref(), &settings.mail_from)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "email is misconfigured; writing emails to the log");
                crate::mail::Mailer::Log
            });
        let files = crate::files::Files::open(settings.files_url.as_deref()).unwrap_or_else(|e| {
            // The binary checks the URL before it gets here; this is for embedders.
            tracing::error!(error = %e, "file storage is misconfigured; keeping files in memory");
            crate::files::Files::open(None).expect("memory storage")
        });
        App {
            db,
            files,
            settings: Arc::new(settings),
            keys,
            clock: Arc::new(SystemClock),
            mailer,
            hooks: Arc::new(Vec::new()),
        }
    }

    /// A handle for processes that issue no tokens (CLI commands such as `check-sla`): the
    /// signing key is random and never leaves the process.
    pub fn for_system(db: Db) -> Self {
        let key = [
            uuid::Uuid::new_v4().into_bytes(),
            uuid::Uuid::new_v4().into_bytes(),
        ]
        .concat();
        App::new(db, Settings::with_secret(crate::Secret::new(key)))
    }

    /// Replaces the clock (tests, replays).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Registers a hook to run after every successful commit.
    pub fn with_hook(mut self, hook: Arc<dyn AfterCommit>) -> Self {
        Arc::make_mut(&mut self.hooks).push(hook);
        self
    }
}
