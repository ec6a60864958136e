//! The real server on an ephemeral port over a fresh database.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use switchyard_api::{ApiConfig, AppState, Secret, telemetry};
use switchyard_app::{AfterCommit, App, Event, Recorded};
use switchyard_store::{Db, outbox};
use tokio::sync::oneshot;

use crate::{FreshDb, ManualClock};

/// Records the events of every committed unit of work (registered as an after-commit hook).
#[derive(Default)]
pub struct CommitLog(Mutex<Vec<Event>>);

impl CommitLog {
    /// The kinds of the events committed so far, in order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().iter().map(|e| e.kind()).collect()
    }

    /// The events committed so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
}

impl AfterCommit for CommitLog {
    fn after_commit(&self, events: &[Recorded]) {
        self.0
            .lock()
            .unwrap()
            .extend(events.iter().map(|r| r.event.clone()));
    }
}

/// A running server, its database and its application handle. Dropping it stops the
/// server and removes the database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: Db,
    /// The application handle the server runs on (its use cases, called directly).
    pub app: App,
    /// Every event the server's units of work committed, in order (an after-commit hook).
    pub committed: Arc<CommitLog>,
    shutdown: Option<oneshot::Sender<()>>,
    /// The server's file storage: a directory of its own, removed with the server.
    files_dir: std::path::PathBuf,
    // Declared last, so it is dropped (and the database removed) after the pool.
    _db: FreshDb,
}

type Configure = Box<dyn FnOnce(&mut ApiConfig)>;

/// How to start a [`TestApp`]: `TestApp::builder().config(|c| …).clock(c).spawn().await`.
#[derive(Default)]
pub struct TestAppBuilder {
    configure: Vec<Configure>,
    clock: Option<Arc<ManualClock>>,
    serve: Option<switchyard_api::ServeOptions>,
}

impl TestAppBuilder {
    /// Changes the server's configuration before it starts.
    pub fn config(mut self, f: impl FnOnce(&mut ApiConfig) + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Gives the server a clock the test controls.
    pub fn clock(mut self, clock: Arc<ManualClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Serves with these connection timeouts instead of the defaults.
    pub fn serve_options(mut self, options: switchyard_api::ServeOptions) -> Self {
        self.serve = Some(options);
        self
    }

    /// Creates the database, applies the migrations and serves the router on 127.0.0.1:0.
    pub async fn spawn(self) -> TestApp {
        let fresh = FreshDb::new().await;
        let db = fresh.connect(10).await;
        switchyard_store::migrate(&db).await.expect("migrations");
        let mut config = ApiConfig::with_secret(Secret::new(
            b"test-secret-that-is-long-enough-for-hs256".to_vec(),
        ));
        let files_dir = std::env::temp_dir().join(format!(
            "switchyard-files-{}",
            uuid::Uuid::new_v4().simple()
        ));
        config.app.files_url = Some(format!("file://{}", files_dir.display()));
        for f in self.configure {
            f(&mut config);
        }
        let mut state = AppState::new(db.clone(), config, telemetry::metrics_handle());
        if let Some(clock) = self.clock {
            state = state.with_clock(clock);
        }
        let committed = Arc::new(CommitLog::default());
        let app = state.app.clone().with_hook(committed.clone());
        let state = state.with_app(app.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let router = switchyard_api::router(state);
        let options = self.serve.unwrap_or_default();
        tokio::spawn(async move {
            switchyard_api::serve_with(
                listener,
                router,
                async {
                    rx.await.ok();
                },
                options,
            )
            .await
            .expect("server");
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        TestApp {
            addr,
            client,
            db,
            app,
            committed,
            shutdown: Some(tx),
            files_dir,
            _db: fresh,
        }
    }
}

impl TestApp {
    /// The files in the server's storage directory (what is really on disk), sorted.
    pub fn stored_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.files_dir, &mut out);
        out.sort();
        out
    }

    /// A builder for a server with non-default configuration or a controlled clock.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// A server with the default test configuration.
    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }

    /// A server with a changed configuration.
    pub async fn spawn_with(configure: impl FnOnce(&mut ApiConfig) + 'static) -> TestApp {
        Self::builder().config(configure).spawn().await
    }

    /// A server whose clock the test controls.
    pub async fn spawn_with_clock(clock: Arc<ManualClock>) -> TestApp {
        Self::builder().clock(clock).spawn().await
    }

    /// The outbox rows no consumer has handled yet, oldest first.
    pub async fn pending_events(&self) -> Vec<outbox::Message> {
        outbox::pending(self.db.conn(), 10_000)
            .await
            .expect("read the outbox")
    }

    /// Fails the test if any outbox row is waiting: for tests whose requests must have
    /// changed nothing (or whose events a consumer must have handled).
    #[track_caller]
    pub fn assert_no_pending_events(&self) -> impl std::future::Future<Output = ()> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let pending = self.pending_events().await;
            assert!(
                pending.is_empty(),
                "{caller}: {} outbox row(s) left: {:?}",
                pending.len(),
                pending.iter().map(|m| &m.kind).collect::<Vec<_>>()
            );
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.files_dir);
    }
}
