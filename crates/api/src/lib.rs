//! Switchyard's HTTP API: axum routers and extractors over the application layer
//! (`switchyard_app`), error mapping, the OpenAPI document and the embedded dashboard.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod routes;
pub mod security;
mod server;
pub mod state;
pub mod telemetry;
pub mod web;

pub use app::{openapi, router};
pub use config::{ApiConfig, Secret};
pub use server::{ServeOptions, serve, serve_with};
pub use state::AppState;
