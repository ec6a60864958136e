//! Shared state of every request handler.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::PrometheusHandle;
use switchyard_domain::sla::Clock;
use switchyard_store::Db;

use crate::{auth::jwt::JwtKeys, config::ApiConfig};

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<ApiConfig>,
    pub keys: Arc<JwtKeys>,
    pub metrics: Option<PrometheusHandle>,
    /// "Now" for SLA decisions; tests replace it to move time.
    pub clock: Arc<dyn Clock>,
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        switchyard_store::now()
    }
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
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the clock (tests, replays).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}
