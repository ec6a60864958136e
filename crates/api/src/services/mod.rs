//! Services: load what a rule needs, ask the domain, write the outcome in one transaction.
//! Handlers call exactly one service function.

pub mod ai;
pub mod audit;
pub mod auth;
pub mod comments;
pub mod dashboard;
pub mod demo;
mod demo_tasks;
pub mod organizations;
pub mod setup;
pub mod sla;
pub mod tasks;
pub mod teams;
pub mod users;
pub mod workflows;
