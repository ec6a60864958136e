//! `POST /api/v1/setup/`.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use switchyard_app::ErrorCode;
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::setup::{self, SetupInput};

use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::ApiJson,
    routes::{auth::TokensOut, tags},
    state::AppState,
};

/// Everything needed to create a working organization; only the first four are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SetupRequest {
    #[schema(
        required,
        nullable = false,
        max_length = 255,
        example = "Nova Robotics"
    )]
    pub org_name: Option<String>,
    #[schema(
        required,
        nullable = false,
        max_length = 50,
        pattern = "^[a-z0-9-]+$",
        example = "nova-robotics"
    )]
    pub org_slug: Option<String>,
    #[schema(
        required,
        nullable = false,
        max_length = 150,
        pattern = r"^[\w.@+-]+$",
        example = "nova_admin"
    )]
    pub admin_username: Option<String>,
    /// At least 8 characters, not entirely numeric, not a common password and not like the
    /// username.
    #[schema(
        required,
        nullable = false,
        min_length = 8,
        max_length = 128,
        example = "Servo-Torque-2026"
    )]
    pub admin_password: Option<String>,
    #[schema(max_length = 254, example = "admin@nova-robotics.example")]
    pub admin_email: Option<String>,
    /// Ordered roles; the position gives the access level; `admin` is always first.
    #[schema(
        example = json!([
            "admin",
            "engineering_manager",
            "robotics_engineer",
            "technician",
            "viewer"
        ])
    )]
    pub roles: Option<Vec<String>>,
    /// Ordered priorities, most urgent first.
    #[schema(example = json!(["critical", "high", "medium", "low"]))]
    pub priorities: Option<Vec<String>>,
    #[schema(example = json!(["bug", "feature", "hardware_fault", "maintenance"]))]
    pub task_types: Option<Vec<String>>,
    #[schema(example = "Nova Robotics Delivery")]
    pub workflow_name: Option<String>,
    /// The default workflow's states, in order; no state may repeat.
    #[schema(
        example = json!([
            "backlog",
            "in_progress",
            "code_review",
            "hardware_test",
            "done",
            "cancelled"
        ])
    )]
    pub workflow_states: Option<Vec<String>>,
    /// Default: the first of `workflow_states`.
    #[schema(example = "backlog")]
    pub initial_state: Option<String>,
    /// Default: the last two of `workflow_states`.
    #[schema(example = json!(["done", "cancelled"]))]
    pub final_states: Option<Vec<String>>,
    #[schema(example = "Firmware Team")]
    pub team_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupOrganization {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub allowed_roles: Vec<String>,
    pub allowed_priorities: Vec<String>,
    pub allowed_task_types: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupAdmin {
    pub id: Uuid,
    pub username: String,
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupWorkflow {
    pub id: Uuid,
    pub name: String,
    pub states: Vec<String>,
    pub initial_state: String,
    pub final_states: Vec<String>,
    pub transitions_created: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupTeam {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupResponse {
    pub message: String,
    pub organization: SetupOrganization,
    pub admin_user: SetupAdmin,
    pub workflow: SetupWorkflow,
    pub team: Option<SetupTeam>,
    pub tokens: TokensOut,
}

/// Creates an organization, its admin, default workflow, generated transition rules and an
/// optional team in one transaction, and returns tokens for the admin.
#[utoipa::path(post, path = "/api/v1/setup", tag = tags::SETUP, request_body = SetupRequest,
    responses((status = 201, body = SetupResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn setup(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SetupRequest>,
) -> ApiResult<(StatusCode, Json<SetupResponse>)> {
    let mut missing = Vec::new();
    for (name, value) in [
        ("org_name", &req.org_name),
        ("org_slug", &req.org_slug),
        ("admin_username", &req.admin_username),
        ("admin_password", &req.admin_password),
    ] {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            missing.push(name.to_string());
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::MissingFields,
            format!(
                "Missing required fields: {}",
                switchyard_domain::workflow::py_list(&missing)
            ),
        ));
    }
    let out = setup::run(
        &state.app,
        SetupInput {
            org_name: req.org_name.unwrap_or_default(),
            org_slug: req.org_slug.unwrap_or_default(),
            admin_username: req.admin_username.unwrap_or_default(),
            admin_password: req.admin_password.unwrap_or_default(),
            admin_email: req.admin_email.unwrap_or_default(),
            roles: req.roles,
            priorities: req.priorities,
            task_types: req.task_types,
            workflow_name: req.workflow_name,
            workflow_states: req.workflow_states,
            initial_state: req.initial_state,
            final_states: req.final_states,
            team_name: req.team_name,
            existing_admin: None,
        },
    )
    .await?;
    let body = SetupResponse {
        message: format!("Organization '{}' created successfully!", out.org.name),
        organization: SetupOrganization {
            id: out.org.id,
            name: out.org.name,
            slug: out.org.slug,
            allowed_roles: out.org.allowed_roles.0,
            allowed_priorities: out.org.allowed_priorities.0,
            allowed_task_types: out.org.allowed_task_types.0,
        },
        admin_user: SetupAdmin {
            id: out.created.admin_id,
            username: out.admin_username,
            role: out.admin_role,
        },
        workflow: SetupWorkflow {
            id: out.workflow.id,
            name: out.workflow.name,
            states: out.workflow.allowed_states.0,
            initial_state: out.workflow.initial_state,
            final_states: out.workflow.final_states.0,
            transitions_created: out.transitions_created,
        },
        team: out
            .created
            .team_id
            .zip(out.team_name)
            .map(|(id, name)| SetupTeam { id, name }),
        tokens: out.tokens.into(),
    };
    Ok((StatusCode::CREATED, Json(body)))
}
