//! A real server per test, on its own fresh database (SQLite file, or a PostgreSQL database
//! created for the test when TEST_DATABASE_URL is set), driven over HTTP.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};

use reqwest::Method;
use serde_json::{Value, json};
use switchyard_api::{ApiConfig, AppState, Secret, telemetry};
use switchyard_store::{Backend, ConnectionTrait, Db};
use tokio::sync::oneshot;

/// A response as a user sees it.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or("")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
}

/// Removes a per-test PostgreSQL database when the test ends, even on panic.
struct PgGuard {
    admin_url: String,
    name: String,
}

impl Drop for PgGuard {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let db = Db::connect(&admin_url, 1).await.ok()?;
                db.conn()
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()?;
                db.close().await.ok()
            })
        })
        .join();
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: Db,
    /// The application handle the server runs on (its use cases, called directly).
    pub app: switchyard_app::App,
    /// Every event the server's units of work committed, in order (an after-commit hook).
    pub committed: Arc<CommitLog>,
    shutdown: Option<oneshot::Sender<()>>,
    _pg: Option<PgGuard>,
    _dir: Option<TempDir>,
}

/// Records the events of every committed unit of work (registered as an after-commit hook).
#[derive(Default)]
pub struct CommitLog(std::sync::Mutex<Vec<switchyard_app::Event>>);

impl CommitLog {
    /// The kinds of the events committed so far, in order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().iter().map(|e| e.kind()).collect()
    }

    /// The events committed so far.
    pub fn events(&self) -> Vec<switchyard_app::Event> {
        self.0.lock().unwrap().clone()
    }
}

impl switchyard_app::AfterCommit for CommitLog {
    fn after_commit(&self, events: &[switchyard_app::Recorded]) {
        self.0
            .lock()
            .unwrap()
            .extend(events.iter().map(|r| r.event.clone()));
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// The backend the environment selects for this test run.
pub fn expected_backend() -> Backend {
    if test_database_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut ApiConfig)) -> TestApp {
        Self::spawn_full(configure, None).await
    }

    /// A server whose SLA clock the test controls.
    pub async fn spawn_with_clock(clock: Arc<ManualClock>) -> TestApp {
        Self::spawn_full(|_| {}, Some(clock)).await
    }

    async fn spawn_full(
        configure: impl FnOnce(&mut ApiConfig),
        clock: Option<Arc<ManualClock>>,
    ) -> TestApp {
        let (db, pg, dir) = match test_database_url() {
            Some(admin_url) => {
                let name = format!("sy_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Db::connect(&admin_url, 1)
                    .await
                    .expect("TEST_DATABASE_URL must be reachable");
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let guard = PgGuard {
                    admin_url: admin_url.clone(),
                    name: name.clone(),
                };
                let db = Db::connect(&with_database(&admin_url, &name), 10)
                    .await
                    .expect("connect test database");
                (db, Some(guard), None)
            }
            None => {
                let dir = std::env::temp_dir()
                    .join(format!("switchyard-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
                let db = Db::connect(&url, 8).await.expect("open sqlite");
                (db, None, Some(TempDir(dir)))
            }
        };
        switchyard_store::migrate(&db).await.expect("migrations");
        let mut config = ApiConfig::with_secret(Secret::new(
            b"test-secret-that-is-long-enough-for-hs256".to_vec(),
        ));
        configure(&mut config);
        let mut state = AppState::new(db.clone(), config, telemetry::metrics_handle());
        if let Some(clock) = clock {
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
        tokio::spawn(async move {
            switchyard_api::serve(listener, router, async {
                rx.await.ok();
            })
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
            _pg: pg,
            _dir: dir,
        }
    }

    /// GET without a token, body parsed as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json body")
    }

    /// GET without a token, body as text (HTML, metrics).
    pub async fn get_text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("text body")
    }

    /// Seeds the demo organization (as `serve --demo` does); false when the database
    /// already had one.
    pub async fn seed_demo(&self) -> bool {
        let app = switchyard_app::App::new(
            self.db.clone(),
            switchyard_app::Settings::with_secret(Secret::new(vec![1u8; 32])),
        );
        switchyard_app::demo::seed(&app).await.expect("demo seed")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        assert!(status < 500, "server error {status}: {body}");
        Resp {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.request(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }
    pub async fn post_anon(&self, path: &str, body: Value) -> Resp {
        self.request(Method::POST, path, None, Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// Creates an organization with the default configuration; returns its admin context.
    pub async fn setup_org(&self, slug: &str) -> Org {
        let body = self
            .post_anon(
                "/api/v1/setup/",
                json!({
                    "org_name": format!("Org {slug}"),
                    "org_slug": slug,
                    "admin_username": format!("{slug}_admin"),
                    "admin_password": "correct-horse-42",
                }),
            )
            .await
            .expect(201)
            .body;
        Org {
            id: body["organization"]["id"].as_str().unwrap().to_string(),
            admin_id: body["admin_user"]["id"].as_str().unwrap().to_string(),
            admin: body["tokens"]["access"].as_str().unwrap().to_string(),
            refresh: body["tokens"]["refresh"].as_str().unwrap().to_string(),
            workflow_id: body["workflow"]["id"].as_str().unwrap().to_string(),
            slug: slug.to_string(),
        }
    }

    /// Creates a member with `role` as `token`'s caller and logs them in; returns (id, access).
    pub async fn add_user(&self, token: &str, username: &str, role: &str) -> (String, String) {
        self.add_user_with(token, json!({"username": username, "role": role}))
            .await
    }

    pub async fn add_user_with(&self, token: &str, mut body: Value) -> (String, String) {
        body["password"] = json!("correct-horse-42");
        let username = body["username"].as_str().unwrap().to_string();
        let created = self
            .post("/api/v1/users/", token, body)
            .await
            .expect(201)
            .body;
        let access = self.login(&username, "correct-horse-42").await;
        (created["id"].as_str().unwrap().to_string(), access)
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = self
            .post_anon(
                "/api/v1/auth/login/",
                json!({"username": username, "password": password}),
            )
            .await
            .expect(200)
            .body;
        body["access"].as_str().unwrap().to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An organization created by [`TestApp::setup_org`].
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub struct Org {
    pub id: String,
    pub admin_id: String,
    pub admin: String,
    pub refresh: String,
    pub workflow_id: String,
    pub slug: String,
}

impl TestApp {
    /// Creates a task as `token`'s caller with extra fields; returns the task body.
    pub async fn create_task(&self, token: &str, title: &str, extra: Value) -> Value {
        let mut body = json!({"title": title});
        if let Some(obj) = extra.as_object() {
            for (k, v) in obj {
                body[k] = v.clone();
            }
        }
        self.post("/api/v1/tasks/", token, body)
            .await
            .expect(201)
            .body
    }

    /// Audit entries of a task, newest first.
    pub async fn audit_of(&self, token: &str, task_id: &str) -> Vec<Value> {
        self.get(
            &format!("/api/v1/audit-logs/?task={task_id}&page_size=100"),
            token,
        )
        .await
        .expect(200)
        .body["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// A clock that stands still until the test moves it.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Arc<Self> {
        Arc::new(ManualClock(Mutex::new(now)))
    }
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl switchyard_domain::sla::Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}
