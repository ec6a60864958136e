//! Switchyard's application layer: every use case of the product, callable from HTTP
//! handlers, CLI commands, background jobs and automation alike.
//!
//! A use case takes the [`App`] handle, an [`Actor`] (or, for identity flows, a [`Caller`])
//! and a plain command, runs its writes in a [`UnitOfWork`] — which records the domain
//! [`Event`]s, their audit entries and outbox rows in the same transaction and runs the
//! registered [`AfterCommit`] hooks only once the commit succeeded — and returns a typed
//! result or an [`AppError`]. Nothing here knows about HTTP.

mod actor;
mod codes;
mod config;
mod error;
mod events;
mod handle;
pub mod one_time;
mod uow;

pub mod ai;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod avatars;
pub mod collaborators;
pub mod comments;
pub mod dashboard;
pub mod demo;
mod demo_tasks;
pub mod departments;
pub mod files;
pub mod invitations;
pub mod jobs;
pub mod mail;
pub mod memberships;
pub mod notifications;
pub mod organizations;
pub mod passwords;
pub mod permissions;
pub mod personal_data;
pub mod projects;
pub mod schedule;
pub mod sealing;
pub mod setup;
pub mod sla;
pub mod task_structure;
pub mod tasks;
pub mod teams;
pub mod throttle;
pub mod two_factor;
pub mod users;
pub mod workflows;

pub use actor::{Actor, Caller, Member};
pub use codes::ErrorCode;
pub use config::{Secret, Settings};
pub use error::{AppError, AppResult};
pub use events::{Change, Event};
pub use handle::{AfterCommit, App, SystemClock};
pub use uow::{Recorded, UnitOfWork};

/// Every background job handler the server runs: scheduled sweeps, email, and the account
/// emails that mint their link tokens as they send.
pub fn every_handler() -> jobs::Handlers {
    attachments::handlers(personal_data::handlers(passwords::handlers(
        invitations::handlers(mail::handlers(schedule::system_handlers())),
    )))
}
