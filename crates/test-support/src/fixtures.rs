//! Fixtures written through the application and store layers, not through HTTP: an
//! organization through the setup use case, members straight into the store with a password
//! hash computed once per process, tokens signed by the application.

use serde_json::{Value, json};
use switchyard_app::{Member, auth, setup, users::default_role};
use switchyard_domain::access;
use switchyard_store::{principal, users};
use tokio::sync::OnceCell;

use crate::TestApp;

/// The password of every fixture account (logins with it work).
pub const FIXTURE_PASSWORD: &str = "correct-horse-42";

/// The argon2 hash of [`FIXTURE_PASSWORD`], computed once per test binary.
async fn fixture_hash() -> &'static str {
    static HASH: OnceCell<String> = OnceCell::const_new();
    HASH.get_or_init(|| async {
        auth::password::hash(FIXTURE_PASSWORD.to_string())
            .await
            .expect("hash the fixture password")
    })
    .await
}

/// An organization created by [`TestApp::setup_org`].
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub admin_id: String,
    /// The admin's access token.
    pub admin: String,
    pub refresh: String,
    pub workflow_id: String,
    pub slug: String,
}

impl TestApp {
    /// Creates an organization with the default configuration through the setup use case;
    /// returns its admin's context (`<slug>_admin`, password [`FIXTURE_PASSWORD`]).
    pub async fn setup_org(&self, slug: &str) -> Org {
        let out = setup::run(
            &self.app,
            setup::SetupInput {
                org_name: format!("Org {slug}"),
                org_slug: slug.to_string(),
                admin_username: format!("{slug}_admin"),
                admin_password: FIXTURE_PASSWORD.to_string(),
                ..Default::default()
            },
        )
        .await
        .expect("set up an organization");
        Org {
            id: out.created.tenant.id().to_string(),
            admin_id: out.created.admin_id.to_string(),
            admin: out.tokens.access,
            refresh: out.tokens.refresh,
            workflow_id: out.created.workflow_id.to_string(),
            slug: slug.to_string(),
        }
    }

    /// Adds a member with `role` to the organization `token` acts in; returns (id, access).
    pub async fn add_user(&self, token: &str, username: &str, role: &str) -> (String, String) {
        self.add_user_with(token, json!({"username": username, "role": role}))
            .await
    }

    /// Adds a member described as `POST /users/` would take it (`username`, and optionally
    /// `role`, `email`, `skills`, `max_concurrent_tasks`), written straight to the store.
    pub async fn add_user_with(&self, token: &str, body: Value) -> (String, String) {
        let member = self.member_of(token).await;
        let username = body["username"].as_str().expect("a username").to_string();
        let role = body["role"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| default_role(&member));
        let skills = body["skills"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let tx = self.db.begin_write().await.expect("begin");
        let id = users::create(
            &tx,
            users::NewUser {
                username,
                email: body["email"].as_str().unwrap_or_default().to_string(),
                password_hash: fixture_hash().await.to_string(),
                skills,
                is_superuser: false,
            },
        )
        .await
        .expect("insert the fixture user");
        let capacity = body["max_concurrent_tasks"].as_i64().unwrap_or(5) as i32;
        users::add_membership(&tx, member.tenant, id, &role, capacity)
            .await
            .expect("add the fixture membership");
        let tokens = auth::issue_pair(&self.app, &tx, id, Some(member.tenant.id()))
            .await
            .expect("sign the fixture's tokens");
        switchyard_store::commit(tx).await.expect("commit");
        (id.to_string(), tokens.access)
    }

    /// The member an access token acts as.
    pub async fn member_of(&self, token: &str) -> Member {
        let claims = self
            .app
            .keys
            .verify(token, auth::jwt::TokenType::Access)
            .expect("a valid access token");
        let record = principal::load(self.db.conn(), claims.subject())
            .await
            .expect("load the caller")
            .expect("an active caller");
        let m = record.membership.expect("a member of an organization");
        Member {
            user_id: record.user_id,
            username: record.username,
            level: access::level_of(&m.org_roles, &m.role)
                .unwrap_or(switchyard_domain::AccessLevel::ReadOnly),
            tenant: m.tenant,
            role: m.role,
            org_roles: m.org_roles,
        }
    }

    /// Signs in through the API; returns the access token.
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

    /// Creates a task through the API as `token`'s caller, with extra fields.
    pub async fn create_task(&self, token: &str, title: &str, extra: Value) -> Value {
        let mut body = json!({ "title": title });
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

    /// Seeds the demo organization (as `serve --demo` does); false when the database
    /// already had one.
    pub async fn seed_demo(&self) -> bool {
        switchyard_app::demo::seed(&self.app)
            .await
            .expect("demo seed")
    }
}
