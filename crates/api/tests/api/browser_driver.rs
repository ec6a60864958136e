//! Headless Chromium driven through chromedriver (WebDriver), for the dashboard's tests.
//!
//! Without chromedriver on the machine these tests skip with a message, so `cargo test`
//! works anywhere; CI sets `SWITCHYARD_BROWSER_TESTS=required`, which turns a missing
//! browser into a failure.

use std::{
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// A browser session and the chromedriver process behind it.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    /// Kills chromedriver's whole process group: after a failed test the session is never
    /// closed, and Chromium (chromedriver's child) would otherwise outlive the test run.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

fn required() -> bool {
    std::env::var("SWITCHYARD_BROWSER_TESTS").is_ok_and(|v| v == "required")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium at 1366×768, or `None` (with a message)
    /// when no chromedriver is installed and the browser tests are not required.
    pub async fn start() -> Option<Browser> {
        let driver_path = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| find_on_path("chromedriver"));
        let Some(driver_path) = driver_path else {
            assert!(
                !required(),
                "SWITCHYARD_BROWSER_TESTS=required but chromedriver is not installed \
                 (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "skipping browser test: chromedriver not found \
                 (apt-get install chromium chromium-driver to run it)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut options = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-quic", "--no-first-run",
                "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                "--lang=en-US",
            ]
        });
        if let Some(binary) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .iter()
            .find(|p| std::path::Path::new(p).exists())
        {
            options["binary"] = json!(binary);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("cannot start Chromium: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Some(Browser { client, driver })
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// Navigates inside the single-page app (`#/tasks`…).
    pub async fn go_hash(&self, hash: &str) {
        self.client
            .execute(
                // The rendered flag goes first, so a wait cannot see the previous page's.
                "if (location.hash !== arguments[0]) { \
                   document.querySelectorAll('.page').forEach(p => p.removeAttribute('data-ready')); \
                   location.hash = arguments[0]; \
                 }",
                vec![json!(hash)],
            )
            .await
            .expect("set hash");
    }

    /// Waits (up to 15 s) for an element matching `css`.
    #[track_caller]
    pub fn wait<'a>(&'a self, css: &'a str) -> impl Future<Output = Element> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            self.client
                .wait()
                .at_most(Duration::from_secs(15))
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("{caller}: no element {css}: {e}"))
        }
    }

    /// Waits until the text of `css` satisfies `check`; returns that text.
    pub async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if check(&text) {
                    return text;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "text of {css} never matched; last: {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    pub async fn click(&self, css: &str) {
        self.wait(css).await.click().await.expect("click");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait(css).await;
        el.clear().await.ok();
        el.send_keys(text).await.expect("type");
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.wait(css)
            .await
            .select_by_value(value)
            .await
            .expect("select option");
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// Signs in through the login form and waits for the dashboard.
    pub async fn login(&self, base: &str, username: &str, password: &str) {
        self.goto(&format!("{base}/#/login")).await;
        self.type_into("#login-username", username).await;
        self.type_into("#login-password", password).await;
        self.click("#login-submit").await;
        self.wait("[data-page=dashboard] .cards").await;
    }

    /// Presses keys one after another, wherever the focus is (`fantoccini::key::Key` values
    /// such as `Key::Enter` as chars for special keys).
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut seq = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            seq = seq
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(seq).await.expect("press keys");
    }

    /// Drags the element `from` onto the element `to` with the mouse (pointer events, as a
    /// person's drag makes them), in small steps.
    pub async fn drag(&self, from: &str, to: &str) {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        let source = self.wait(from).await;
        let target = self.wait(to).await;
        let step = Some(Duration::from_millis(150));
        let seq = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: source,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveBy {
                duration: step,
                x: 12.0,
                y: 12.0,
            })
            .then(PointerAction::MoveToElement {
                element: target,
                duration: step,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(seq).await.expect("drag");
    }

    /// Forgets who is signed in, as a fresh browser would: this tab's tokens and the session
    /// cookie.
    pub async fn fresh_session(&self) {
        self.js("sessionStorage.clear(); return true;").await;
        let origin = self.js("return location.origin").await;
        let origin = origin.as_str().expect("an origin");
        // WebDriver deletes the cookies the current page can see; the session cookie is
        // scoped to /api/v1/auth/.
        self.goto(&format!("{origin}/api/v1/auth/")).await;
        self.client
            .delete_all_cookies()
            .await
            .expect("delete cookies");
        self.goto(&format!("{origin}/#/login")).await;
    }

    /// Saves a PNG under `target/screenshots/` at the given viewport size.
    pub async fn screenshot(&self, name: &str, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}-{width}x{height}.png")), png)
            .expect("write screenshot");
    }

    /// Screenshots at the desktop and phone sizes the dashboard must support.
    pub async fn screenshots(&self, name: &str) {
        self.screenshot(name, 1366, 768).await;
        self.screenshot(name, 375, 812).await;
        self.client
            .set_window_size(1366, 768)
            .await
            .expect("resize");
    }

    /// Ends the browser session; dropping then stops chromedriver.
    pub async fn close(self) {
        self.client.clone().close().await.ok();
    }
}
