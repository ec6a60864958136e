//! HTTP integration tests against a real server and database (SQLite by default,
//! PostgreSQL when TEST_DATABASE_URL is set).

mod browser_driver;
mod helpers;

mod abandoned;
mod accounts;
mod ai;
mod audit_chain;
mod audit_logs;
mod auth;
mod avatars;
mod browser;
mod browser_accounts;
mod browser_claims;
mod browser_dashboard;
mod browser_keyboard;
mod browser_session;
mod browser_tables;
mod capabilities;
mod claims;
mod comments;
mod concurrency;
mod connections;
mod dashboard_lists;
mod dashboard_trends;
mod demo;
mod departments;
mod email;
mod errors;
mod isolation;
mod jobs;
mod operations;
mod organizations;
mod personal_data;
mod security;
mod session_cookie;
mod setup;
mod sla;
mod tallies;
mod tasks;
mod teams;
mod two_factor;
mod unit_of_work;
mod users;
mod web;
mod workflows;
