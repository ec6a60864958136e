//! Shared state of every request handler.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use switchyard_app::App;
use switchyard_domain::sla::Clock;

use crate::config::ApiConfig;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// The application: every handler calls one of its use cases with it.
    pub app: App,
    pub config: Arc<ApiConfig>,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    /// Builds the state; `metrics` is the Prometheus handle installed by the binary.
    pub fn new(
        db: switchyard_store::Db,
        config: ApiConfig,
        metrics: Option<PrometheusHandle>,
    ) -> Self {
        AppState {
            app: App::new(db, config.app.clone()),
            config: Arc::new(config),
            metrics,
        }
    }

    /// Replaces the clock (tests, replays).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.app = self.app.with_clock(clock);
        self
    }

    /// Uses an application handle built elsewhere (with hooks, a clock …).
    pub fn with_app(mut self, app: App) -> Self {
        self.app = app;
        self
    }
}
