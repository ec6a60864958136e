//! A real `switchyard serve` process for tests that need more than one instance, a crash
//! (SIGKILL) or a restart.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

/// The JWT secret every test process shares, so tokens survive a restart.
pub const PROCESS_SECRET: &str = "process-test-secret-process-test-secret-42";

/// A `switchyard serve` process on an ephemeral port; killed (SIGKILL) when dropped.
pub struct ServeProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl ServeProcess {
    /// Starts `bin serve` (pass `env!("CARGO_BIN_EXE_switchyard")`) on `database_url` with
    /// extra environment, and waits until it listens.
    pub fn start(bin: &str, database_url: &str, env: &[(&str, &str)]) -> ServeProcess {
        ServeProcess::start_command(Command::new(bin), database_url, env)
    }

    /// [`ServeProcess::start`] through a prepared command (a wrapper such as `prlimit`
    /// whose last argument is the binary).
    pub fn start_command(
        mut command: Command,
        database_url: &str,
        env: &[(&str, &str)],
    ) -> ServeProcess {
        let mut child = command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("SWITCHYARD_ADDR", "127.0.0.1:0")
            .env("SWITCHYARD_JWT_SECRET", PROCESS_SECRET)
            .env("RUST_LOG", "error")
            // Shared by every test process, as instances side by side share one store.
            .env(
                "SWITCHYARD_FILES_URL",
                format!(
                    "file://{}",
                    std::env::temp_dir()
                        .join("switchyard-process-files")
                        .display()
                ),
            )
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start switchyard serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("serve exited before it listened")
                .expect("read serve's output");
            if let Some(rest) = line.split("http://").nth(1) {
                break format!("http://{}", rest.split('/').next().unwrap());
            }
        };
        // Keep draining its output so a full pipe never blocks it.
        std::thread::spawn(move || lines.for_each(drop));
        ServeProcess { child, url }
    }

    /// The process's value of a Prometheus series (0 when it has not been touched).
    pub async fn counter(&self, series: &str) -> f64 {
        let text = reqwest::get(format!("{}/metrics", self.url))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics body");
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    /// Asks the process to stop (SIGTERM), as a service manager does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits up to `within` for the process to exit; its status, or `None` if it still runs.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if start.elapsed() >= within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The admin password [`setup_org`] gives every organization.
pub const PROCESS_PASSWORD: &str = "correct-horse-42";

/// Sets up organization `slug` through `POST /api/v1/setup/` on `base` (admin
/// `<slug>_admin`, password [`PROCESS_PASSWORD`]); returns the admin's access token.
pub async fn setup_org(http: &reqwest::Client, base: &str, slug: &str) -> String {
    let body: serde_json::Value = http
        .post(format!("{base}/api/v1/setup/"))
        .json(&serde_json::json!({
            "org_name": format!("Org {slug}"), "org_slug": slug,
            "admin_username": format!("{slug}_admin"), "admin_password": PROCESS_PASSWORD
        }))
        .send()
        .await
        .expect("setup request")
        .json()
        .await
        .expect("setup body");
    body["tokens"]["access"]
        .as_str()
        .unwrap_or_else(|| panic!("setup failed: {body}"))
        .to_string()
}

/// `POST /api/v1/tasks/` on `base`: `(status, body, Retry-After)`.
pub async fn create_task(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: serde_json::Value,
) -> Result<(u16, serde_json::Value, Option<String>), reqwest::Error> {
    let r = http
        .post(format!("{base}/api/v1/tasks/"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok((status, r.json().await.unwrap_or_default(), retry))
}

/// `GET /api/v1/tasks/?page_size=1` on `base`: `(status, count)` (count −1 without one).
pub async fn task_count(http: &reqwest::Client, base: &str, token: &str) -> (u16, i64) {
    let r = http
        .get(format!("{base}/api/v1/tasks/?page_size=1"))
        .bearer_auth(token)
        .send()
        .await
        .expect("list request");
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    (status, body["count"].as_i64().unwrap_or(-1))
}
