//! Shared state of every request handler.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use switchyard_store::Db;

use crate::{auth::jwt::JwtKeys, config::ApiConfig};

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<ApiConfig>,
    pub keys: Arc<JwtKeys>,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    /// Builds the state; `metrics` is the Prometheus handle installed by the binary.
    pub fn new(db: Db, config: ApiConfig, metrics: Option<PrometheusHandle>) -> Self {
        let keys = Arc::new(JwtKeys::new(&config.jwt_secret));
        AppState {
            db,
            config: Arc::new(config),
            keys,
            metrics,
        }
    }
}
