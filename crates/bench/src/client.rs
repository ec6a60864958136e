//! What every scenario shares: an HTTP client, an admin token, and sample ids to work on.

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::Args;

/// Shared state of a benchmark run.
pub struct Context {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub admin_id: String,
    pub username: String,
    pub password: String,
    /// Ids of existing tasks for read scenarios.
    pub task_ids: Vec<String>,
    /// The default workflow's states, in order; finals last.
    pub states: Vec<String>,
    pub final_states: Vec<String>,
    /// Ids of the organization's projects (for `list_project`).
    pub projects: Vec<String>,
    /// A token of a worker who is in some projects and kept out of the others (seeded
    /// `<org>_user_00001`), for `list_member`; `None` when there is no such account.
    pub member_token: Option<String>,
}

impl Context {
    /// Logs in, raises the admin's capacity (write scenarios assign to them) and samples ids.
    pub async fn prepare(args: &Args) -> anyhow::Result<Context> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency * 2)
            .build()?;
        let base = args.url.trim_end_matches('/').to_string();
        let login: Value = http
            .post(format!("{base}/api/v1/auth/login/"))
            .json(&json!({"username": args.username, "password": args.password}))
            .send()
            .await
            .context("is the server running?")?
            .json()
            .await?;
        let token = login["access"]
            .as_str()
            .context("login failed; seed with `switchyard seed-bench` first")?
            .to_string();
        let me: Value = http
            .get(format!("{base}/api/v1/users/me/"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let admin_id = me["id"].as_str().context("users/me")?.to_string();
        http.patch(format!("{base}/api/v1/users/{admin_id}/"))
            .bearer_auth(&token)
            .json(&json!({"max_concurrent_tasks": 1000}))
            .send()
            .await?
            .error_for_status()?;
        let mut task_ids = Vec::new();
        for page in 1..=5 {
            let body: Value = http
                .get(format!("{base}/api/v1/tasks/?page_size=100&page={page}"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            let Some(results) = body["results"].as_array() else {
                break;
            };
            task_ids.extend(
                results
                    .iter()
                    .filter_map(|t| t["id"].as_str().map(str::to_string)),
            );
        }
        if task_ids.is_empty() {
            bail!("the organization has no tasks; run `switchyard seed-bench` first");
        }
        let wfs: Value = http
            .get(format!("{base}/api/v1/workflows/"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let wf = wfs["results"]
            .as_array()
            .and_then(|w| w.iter().find(|w| w["is_default"] == true).cloned())
            .context("no default workflow")?;
        let list = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let projects: Value = http
            .get(format!("{base}/api/v1/projects/?page_size=100"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let projects = projects["results"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let member = args
            .username
            .strip_suffix("_admin")
            .map(|org| format!("{org}_user_00001"));
        let mut member_token = None;
        if let Some(member) = member {
            let login: Value = http
                .post(format!("{base}/api/v1/auth/login/"))
                .json(&json!({"username": member, "password": args.password}))
                .send()
                .await?
                .json()
                .await?;
            member_token = login["access"].as_str().map(str::to_string);
        }
        Ok(Context {
            projects,
            member_token,
            http,
            base,
            token,
            admin_id,
            username: args.username.clone(),
            password: args.password.clone(),
            task_ids,
            states: list(&wf["allowed_states"]),
            final_states: list(&wf["final_states"]),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}
