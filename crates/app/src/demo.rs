//! The demo organization "Sunshine Corporation", seeded into an empty database.

use switchyard_store::{organizations_count, teams, users};

use crate::{
    App, AppError, AppResult, UnitOfWork,
    auth::password,
    setup::{self, SetupInput},
};

/// Password of every demo login.
pub const DEMO_PASSWORD: &str = "testpass123";

/// The demo logins: username, role, skills.
pub const DEMO_USERS: [(&str, &str, &[&str]); 5] = [
    ("admin_user", "admin", &[]),
    ("manager_user", "manager", &[]),
    ("dev_alice", "engineer", &["python", "django", "aws"]),
    ("dev_bob", "engineer", &["javascript", "react", "node"]),
    ("viewer_user", "viewer", &[]),
];

/// Whether the demo organization is there with every demo login (so the login page and the
/// banner may offer them).
pub async fn is_present(state: &App) -> AppResult<bool> {
    let names: Vec<&str> = DEMO_USERS.iter().map(|(name, ..)| *name).collect();
    let n =
        switchyard_store::organizations::members_named(state.db.conn(), "sunshine", &names).await?;
    Ok(n == names.len() as u64)
}

/// Seeds the demo organization; returns `false` (and does nothing) when the database
/// already holds an organization.
pub async fn seed(state: &App) -> AppResult<bool> {
    if organizations_count(state.db.conn()).await? > 0 {
        return Ok(false);
    }
    let out = setup::run(
        state,
        SetupInput {
            org_name: "Sunshine Corporation".into(),
            org_slug: "sunshine".into(),
            admin_username: "admin_user".into(),
            admin_password: DEMO_PASSWORD.into(),
            admin_email: "admin@sunshine.example".into(),
            ..Default::default()
        },
    )
    .await?;
    let tenant = out.created.tenant;
    let hash = password::hash(DEMO_PASSWORD.to_string()).await?;
    let uow = UnitOfWork::begin(state).await?;
    let mut ids = std::collections::HashMap::new();
    ids.insert("admin_user", out.created.admin_id);
    for (username, role, skills) in DEMO_USERS.iter().skip(1) {
        let id = users::create(
            uow.tx(),
            users::NewUser {
                username: username.to_string(),
                email: format!("{username}@sunshine.example"),
                password_hash: hash.clone(),
                skills: skills.iter().map(|s| s.to_string()).collect(),
                is_superuser: false,
            },
        )
        .await?;
        // Room for more: the sample work leaves everyone a few free slots, so a manager's
        // first assignment (or auto-assign) succeeds.
        let capacity = if *role == "engineer" { 10 } else { 8 };
        users::add_membership(uow.tx(), tenant, id, role, capacity).await?;
        ids.insert(*username, id);
    }
    let lead = ids.get("manager_user").copied();
    let members: Vec<_> = ["dev_alice", "dev_bob"]
        .iter()
        .filter_map(|u| ids.get(u).copied())
        .collect();
    if lead.is_none() || members.len() != 2 {
        return Err(AppError::Internal("demo users missing".into()));
    }
    teams::create(uow.tx(), tenant, "Backend Team", lead, &members).await?;
    crate::demo_tasks::seed(uow.tx(), tenant, out.created.workflow_id, &ids).await?;
    uow.commit().await?;
    Ok(true)
}
