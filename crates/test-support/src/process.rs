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
