//! HTTP integration tests against a real server and database (SQLite by default,
//! PostgreSQL when TEST_DATABASE_URL is set).

mod helpers;

mod auth;
mod operations;
mod organizations;
mod setup;
mod teams;
mod users;
