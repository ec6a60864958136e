//! `POST /setup/`: a working organization in one call.

use switchyard_domain::{AccessLevel, access, rules, validate};
use switchyard_store::{organizations, setup, users, workflows};
use uuid::Uuid;

use crate::ErrorCode;
use crate::{App, AppError, AppResult, Change, Event, Member, UnitOfWork, auth::password};

/// Setup input after the required fields were found.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    pub org_name: String,
    pub org_slug: String,
    pub admin_username: String,
    pub admin_password: String,
    pub admin_email: String,
    pub roles: Option<Vec<String>>,
    pub priorities: Option<Vec<String>>,
    pub task_types: Option<Vec<String>>,
    pub workflow_name: Option<String>,
    pub workflow_states: Option<Vec<String>>,
    pub initial_state: Option<String>,
    pub final_states: Option<Vec<String>>,
    pub team_name: Option<String>,
    /// An existing account to make the admin (`POST /organizations/`): the `admin_*` fields
    /// then only name it (`admin_username`) and no account is created.
    pub existing_admin: Option<Uuid>,
}

/// What setup created.
#[derive(Debug, Clone)]
pub struct SetupOutcome {
    pub created: setup::Created,
    pub org: organizations::OrgRow,
    pub admin_username: String,
    pub admin_role: String,
    pub workflow: workflows::WorkflowRow,
    pub transitions_created: usize,
    pub team_name: Option<String>,
    pub tokens: crate::auth::TokenPair,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Validates and creates everything, or nothing.
pub async fn run(state: &App, input: SetupInput) -> AppResult<SetupOutcome> {
    if !state.settings.allow_setup {
        return Err(AppError::Forbidden(
            "Organization setup is disabled on this server.".into(),
        ));
    }
    validate::name("org_name", &input.org_name)?;
    validate::slug(&input.org_slug).map_err(|e| AppError::field("org_slug", e.0))?;
    if input.existing_admin.is_none() {
        crate::users::check_username(&input.admin_username)?;
        if let Err(e) =
            switchyard_domain::password::check(&input.admin_password, &input.admin_username)
        {
            return Err(AppError::field("admin_password", e.to_string()));
        }
    }
    let roles = input
        .roles
        .unwrap_or_else(|| strings(&["admin", "manager", "engineer", "viewer"]));
    validate::config_list("roles", &roles)?;
    let roles = access::normalize_roles(roles);
    let priorities = input
        .priorities
        .unwrap_or_else(|| strings(&["critical", "high", "medium", "low"]));
    let task_types = input
        .task_types
        .unwrap_or_else(|| strings(&["bug", "feature", "task", "improvement"]));
    let states = input.workflow_states.unwrap_or_else(|| {
        strings(&[
            "open",
            "in_progress",
            "review",
            "testing",
            "done",
            "cancelled",
        ])
    });
    validate::config_list("roles", &roles)?;
    validate::config_list("priorities", &priorities)?;
    validate::config_list("task_types", &task_types)?;
    validate::config_list("workflow_states", &states)?;
    let initial_state = input.initial_state.unwrap_or_else(|| states[0].clone());
    let final_states = input.final_states.unwrap_or_else(|| {
        if states.len() >= 2 {
            states[states.len() - 2..].to_vec()
        } else {
            states.clone()
        }
    });
    validate::config_list("final_states", &final_states)?;
    let allowed = switchyard_domain::workflow::py_list(&states);
    for s in std::iter::once(&initial_state).chain(final_states.iter()) {
        if !states.contains(s) {
            return Err(AppError::bad_request(
                ErrorCode::InvalidState,
                format!("State '{s}' is not in workflow_states. Allowed states: {allowed}"),
            ));
        }
    }
    let workflow_name = input
        .workflow_name
        .unwrap_or_else(|| format!("{} Default Workflow", input.org_name));
    validate::name("workflow_name", &workflow_name)?;
    if let Some(team) = &input.team_name {
        validate::name("team_name", team)?;
    }
    let generated = rules::default_rules(&states, &final_states, &roles);
    let admin_account = match input.existing_admin {
        Some(id) => setup::Admin::Existing(id),
        None => setup::Admin::New(users::NewUser {
            username: input.admin_username.clone(),
            email: input.admin_email,
            password_hash: password::hash(input.admin_password).await?,
            skills: Vec::new(),
            is_superuser: false,
        }),
    };

    let mut uow = UnitOfWork::begin(state).await?;
    let slug = input.org_slug.clone();
    if organizations::slug_exists(uow.tx(), &slug).await? {
        return Err(AppError::slug_taken(Some(&slug)));
    }
    if input.existing_admin.is_none()
        && users::username_exists(uow.tx(), &input.admin_username).await?
    {
        return Err(AppError::username_taken("admin_username"));
    }
    let transitions_created = generated.len();
    let cancel_state = crate::workflows::inferred_cancel_state(&final_states);
    let created = setup::create_organization(
        uow.tx(),
        setup::NewOrganization {
            name: input.org_name,
            slug: slug.clone(),
            roles: roles.clone(),
            priorities,
            task_types,
            admin: admin_account,
            workflow: workflows::NewWorkflow {
                name: workflow_name,
                is_default: true,
                states,
                initial_state,
                final_states,
            },
            rules: generated
                .into_iter()
                .map(|r| (r.from_state, r.to_state, r.allowed_roles))
                .collect(),
            cancel_state,
            team_name: input.team_name.clone(),
        },
    )
    .await
    .map_err(|e| match e {
        switchyard_store::StoreError::Conflict(switchyard_store::Conflict::OrganizationSlug) => {
            AppError::slug_taken(Some(&slug))
        }
        switchyard_store::StoreError::Conflict(switchyard_store::Conflict::Username) => {
            AppError::username_taken("admin_username")
        }
        other => other.into(),
    })?;
    let org = organizations::get(uow.tx(), created.tenant)
        .await?
        .ok_or_else(|| AppError::Internal("organization vanished during setup".into()))?;
    let workflow = workflows::get(uow.tx(), created.tenant, created.workflow_id)
        .await?
        .ok_or_else(|| AppError::Internal("workflow vanished during setup".into()))?;
    let admin = Member {
        user_id: created.admin_id,
        username: input.admin_username.clone(),
        tenant: created.tenant,
        role: roles[0].clone(),
        level: AccessLevel::Admin,
        org_roles: roles.clone(),
    };
    uow.record(
        &admin,
        Event::OrganizationChanged {
            change: Change::Created,
        },
    )
    .await?;
    let tokens =
        crate::auth::issue_pair(state, uow.tx(), created.admin_id, Some(created.tenant.id()))
            .await?;
    uow.commit().await?;
    Ok(SetupOutcome {
        created,
        org,
        admin_username: input.admin_username,
        admin_role: roles[0].clone(),
        workflow,
        transitions_created,
        team_name: input.team_name,
        tokens,
    })
}
