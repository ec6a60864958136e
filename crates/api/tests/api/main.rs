//! HTTP integration tests against a real server and database (SQLite by default,
//! PostgreSQL when TEST_DATABASE_URL is set).

mod helpers;

mod ai;
mod audit_logs;
mod auth;
mod comments;
mod demo;
mod isolation;
mod operations;
mod organizations;
mod security;
mod setup;
mod sla;
mod tasks;
mod teams;
mod users;
mod workflows;
