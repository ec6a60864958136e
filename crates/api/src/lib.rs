//! Switchyard's HTTP API: axum routers, authentication, services and the OpenAPI document.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod routes;
pub mod security;
pub mod services;
pub mod state;
pub mod telemetry;
pub mod web;

pub use app::{openapi, router, serve};
pub use config::{ApiConfig, Secret};
pub use state::AppState;
