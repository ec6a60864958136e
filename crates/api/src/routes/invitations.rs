//! `/api/v1/invitations/`: inviting people by email, and the public steps of accepting.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::invitations::{InvitationFilter, InvitationRow};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::invitations::{self, Acceptor, NewInvitation};

use crate::{
    auth::{Caller, Member},
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiQuery, IdPath, PageQuery, Paginated, pagination::PageParams},
    routes::{auth::RegisterResponse, tags},
    state::AppState,
};

/// An invitation as its organization's managers see it (never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: Uuid,
    #[schema(example = "carol@example.com")]
    pub email: String,
    #[schema(example = "engineer")]
    pub role: String,
    /// A team the invitee joins on accepting.
    pub team: Option<Uuid>,
    /// `pending`, `accepted`, `revoked` or `expired`.
    #[schema(example = "pending")]
    pub status: String,
    pub invited_by: Option<Uuid>,
    pub invited_by_name: String,
    /// The account that accepted it.
    pub accepted_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    /// How many times it was emailed (resending counts).
    pub sent_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl InvitationOut {
    fn of(row: InvitationRow, now: DateTime<Utc>) -> Self {
        InvitationOut {
            status: row.status(now).to_string(),
            id: row.id,
            email: row.email,
            role: row.role,
            team: row.team_id,
            invited_by: row.invited_by,
            invited_by_name: row.invited_by_name,
            accepted_by: row.accepted_by,
            expires_at: row.expires_at,
            sent_count: row.sent_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateInvitationRequest {
    #[schema(example = "alice@nova-robotics.example", max_length = 254)]
    pub email: String,
    /// One of the organization's roles (default: its first worker-level role). Managers may
    /// only invite for roles below manager.
    #[schema(example = "robotics_engineer")]
    pub role: Option<String>,
    #[schema(example = "c4a1e7d2-3b5f-4e8a-9d6c-7f0b1a2c3d4e")]
    pub team: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationListParams {
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: Option<String>,
}

/// Invites someone by email (admins; managers for roles below manager). 409 when the address
/// already belongs to a member or has a pending invitation.
#[utoipa::path(post, path = "/api/v1/invitations", tag = tags::USERS, request_body = CreateInvitationRequest, security(("bearer" = [])),
    responses((status = 201, body = InvitationOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateInvitationRequest>,
) -> ApiResult<(StatusCode, Json<InvitationOut>)> {
    let input = NewInvitation {
        email: req.email,
        role: req.role,
        team: req.team,
    };
    let row = invitations::create(&state.app, &member, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut::of(row, state.app.clock.now())),
    ))
}

/// The organization's invitations, newest first (managers and admins).
#[utoipa::path(get, path = "/api/v1/invitations", tag = tags::USERS, params(PageParams, InvitationListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<InvitationOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<InvitationListParams>,
) -> ApiResult<Json<Paginated<InvitationOut>>> {
    let status = q.status.filter(|s| !s.is_empty());
    if let Some(s) = &status
        && !["pending", "accepted", "revoked", "expired"].contains(&s.as_str())
    {
        return Err(ApiError::field(
            "status",
            format!("Unknown status '{s}'. Allowed: pending, accepted, revoked, expired."),
        ));
    }
    let filter = InvitationFilter { status };
    let (rows, count) = invitations::list(&state.app, &member, &filter, page.page).await?;
    let now = state.app.clock.now();
    let out = rows
        .into_iter()
        .map(|r| InvitationOut::of(r, now))
        .collect();
    Ok(Json(page.wrap(out, count)?))
}

/// Emails the invitation again with a new link; the old link stops working.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = InvitationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already accepted or revoked", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Json<InvitationOut>> {
    let row = invitations::resend(&state.app, &member, id).await?;
    Ok(Json(InvitationOut::of(row, state.app.clock.now())))
}

/// Revokes a pending invitation; its link stops working.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already accepted or revoked", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    invitations::revoke(&state.app, &member, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The token from the emailed link.
    pub token: Option<String>,
}

/// What an invitation link opens, for the accept page: nothing but these three fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreviewOut {
    #[schema(example = "Acme")]
    pub organization: String,
    #[schema(example = "engineer")]
    pub role: String,
    #[schema(example = "carol@example.com")]
    pub email: String,
}

/// Public: the organization, role and email of a valid invitation token.
#[utoipa::path(get, path = "/api/v1/invitations/lookup", tag = tags::USERS, params(LookupParams),
    responses((status = 200, body = InvitationPreviewOut), (status = 400, description = "Unknown, used, revoked or expired token (one message for all)", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LookupParams>,
) -> ApiResult<Json<InvitationPreviewOut>> {
    let token = q.token.unwrap_or_default();
    let p = invitations::lookup(&state.app, &token).await?;
    Ok(Json(InvitationPreviewOut {
        organization: p.organization,
        role: p.role,
        email: p.email,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptRequest {
    /// The token from the emailed link.
    #[schema(example = "yFs_Aw68v6lV6u8oYSokYym5gb_Gx8zhCJJGhn-4Noc")]
    pub token: String,
    /// For a new account (omit both when signed in as the invited address's account).
    #[schema(example = "dev_alice")]
    pub username: Option<String>,
    #[schema(example = "Gripper-Firmware-9")]
    pub password: Option<String>,
}

/// Accepts an invitation: creates the account (`username`, `password`), or — with a bearer
/// token of an existing account whose email matches — adds the membership. Answers tokens
/// acting in the organization joined.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = tags::USERS, request_body = AcceptRequest,
    responses((status = 201, body = RegisterResponse), (status = 400, description = "Unknown, used, revoked or expired token (one message for all), or invalid account fields", body = ErrorBody), (status = 403, description = "Signed in as an account with another email", body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiJson(req): ApiJson<AcceptRequest>,
) -> ApiResult<(StatusCode, Json<RegisterResponse>)> {
    let acceptor = match (caller, req.username, req.password) {
        (Some(caller), None, None) => Acceptor::Existing(caller.0),
        (_, Some(username), Some(password)) => Acceptor::NewAccount { username, password },
        (_, username, _) => {
            let field = if username.is_none() {
                "username"
            } else {
                "password"
            };
            return Err(ApiError::field(field, "This field is required."));
        }
    };
    let accepted = invitations::accept(&state.app, &req.token, acceptor).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterResponse {
            message: "Invitation accepted".into(),
            user: accepted.user.into(),
            tokens: accepted.tokens.into(),
        }),
    ))
}
