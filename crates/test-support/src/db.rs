//! A fresh database per test, on the backend the environment selects.

use std::path::PathBuf;

use sea_orm::ConnectionTrait;
use switchyard_store::{Backend, Db};

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

/// `url` with its database name replaced by `name` (query kept).
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

/// A database of its own for one test: a PostgreSQL database created on the server
/// `TEST_DATABASE_URL` names, or a SQLite file in a temporary directory. Removed on drop.
pub struct FreshDb {
    /// Where to connect (give it to the binary as `--database-url`).
    pub url: String,
    pub backend: Backend,
    admin_url: Option<String>,
    name: String,
    dir: Option<PathBuf>,
}

impl FreshDb {
    /// Creates the database (empty: no migrations applied yet).
    pub async fn new() -> FreshDb {
        let name = format!("sy_test_{}", uuid::Uuid::new_v4().simple());
        match test_database_url() {
            Some(admin_url) => {
                let admin = Db::connect(&admin_url, 1)
                    .await
                    .expect("TEST_DATABASE_URL must be reachable");
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                FreshDb {
                    url: with_database(&admin_url, &name),
                    backend: Backend::Postgres,
                    admin_url: Some(admin_url),
                    name,
                    dir: None,
                }
            }
            None => {
                let dir = std::env::temp_dir().join(format!("switchyard-{name}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                FreshDb {
                    url: format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
                    backend: Backend::Sqlite,
                    admin_url: None,
                    name,
                    dir: Some(dir),
                }
            }
        }
    }

    /// A pool of at most `connections` to it.
    pub async fn connect(&self, connections: u32) -> Db {
        Db::connect(&self.url, connections)
            .await
            .expect("connect to the test database")
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        let Some(admin_url) = self.admin_url.clone() else {
            return;
        };
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread.
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
