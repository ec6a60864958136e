//! Assembling the router: routes with their OpenAPI document, docs UI and middleware.

use axum::{
    Router, extract::DefaultBodyLimit, http::HeaderName, middleware, response::IntoResponse,
};
use tower::{ServiceBuilder, util::MapRequestLayer};
use tower_http::request_id::PropagateRequestIdLayer;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    error::ApiError,
    middleware::{
        BodyLimits, REQUEST_ID, ensure_request_id, limit_head, log_and_measure, read_whole_body,
        run_to_completion,
    },
    routes::{
        account, admin_jobs, ai, attachments, audit_logs, auth, avatars, comments, dashboard,
        departments, health, invitations, notifications, organizations, personal_data, projects,
        setup, task_links, tasks, teams, two_factor, users, workflows,
    },
    state::AppState,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchyard API", description = "Multi-tenant work orchestration engine.", version = env!("CARGO_PKG_VERSION")),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every API route, registered together with its OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(setup::setup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::session))
        .routes(routes!(auth::register))
        .routes(routes!(two_factor::setup))
        .routes(routes!(two_factor::confirm))
        .routes(routes!(two_factor::disable))
        .routes(routes!(two_factor::login))
        .routes(routes!(account::organizations))
        .routes(routes!(account::switch_organization))
        .routes(routes!(account::change_password))
        .routes(routes!(account::password_reset))
        .routes(routes!(account::password_reset_confirm))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(
            organizations::get,
            organizations::update,
            organizations::delete
        ))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::me))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(avatars::put, avatars::delete))
        .routes(routes!(avatars::get))
        .routes(routes!(personal_data::request))
        .routes(routes!(personal_data::status))
        .routes(routes!(personal_data::download))
        .routes(routes!(personal_data::erase))
        .routes(routes!(users::deactivate))
        .routes(routes!(users::reactivate))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::lookup))
        .routes(routes!(invitations::accept))
        .routes(routes!(invitations::resend))
        .routes(routes!(invitations::revoke))
        .routes(routes!(teams::list, teams::create))
        .routes(routes!(teams::get, teams::update, teams::delete))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::update, projects::delete))
        .routes(routes!(projects::stats))
        .routes(routes!(projects::members, projects::add_member))
        .routes(routes!(projects::update_member, projects::remove_member))
        .routes(routes!(departments::list, departments::create))
        .routes(routes!(
            departments::get,
            departments::update,
            departments::delete
        ))
        .routes(routes!(workflows::list, workflows::create))
        .routes(routes!(
            workflows::get,
            workflows::update,
            workflows::delete
        ))
        .routes(routes!(workflows::list_rules, workflows::create_rule))
        .routes(routes!(
            workflows::get_rule,
            workflows::update_rule,
            workflows::delete_rule
        ))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
        .routes(routes!(tasks::available_transitions))
        .routes(routes!(tasks::transition))
        .routes(routes!(tasks::assign))
        .routes(routes!(tasks::claim))
        .routes(routes!(task_links::subtasks))
        .routes(routes!(
            task_links::dependencies,
            task_links::add_dependency
        ))
        .routes(routes!(task_links::remove_dependency))
        .routes(routes!(task_links::add_collaborator))
        .routes(routes!(task_links::remove_collaborator))
        .routes(routes!(attachments::list, attachments::upload))
        .routes(routes!(attachments::get, attachments::delete))
        .routes(routes!(attachments::download))
        .routes(routes!(attachments::usage))
        .routes(routes!(comments::list, comments::create))
        .routes(routes!(comments::get, comments::update, comments::delete))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
        .routes(routes!(
            notifications::preferences,
            notifications::set_preferences
        ))
        .routes(routes!(audit_logs::list))
        .routes(routes!(audit_logs::export))
        .routes(routes!(audit_logs::get))
        .routes(routes!(dashboard::overview))
        .routes(routes!(dashboard::team_performance))
        .routes(routes!(dashboard::activity))
        .routes(routes!(dashboard::trends))
        .routes(routes!(dashboard::sla_check))
        .routes(routes!(ai::score_priority))
        .routes(routes!(ai::score_all))
        .routes(routes!(ai::recommend_assignee))
        .routes(routes!(ai::auto_assign))
        .routes(routes!(ai::query))
        .routes(routes!(admin_jobs::list))
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(health::metrics))
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = api_routes().split_for_parts();
    unique_operation_ids(&mut doc);
    doc
}

/// Names every operation after its method and path (`patch_api_v1_tasks_id`): utoipa's
/// default is the handler's name, which repeats across resources, and OpenAPI requires
/// operation ids to be unique.
fn unique_operation_ids(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let base: String = path
            .trim_matches('/')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
            .split('_')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        for (method, op) in [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("put", item.put.as_mut()),
            ("patch", item.patch.as_mut()),
            ("delete", item.delete.as_mut()),
        ] {
            if let Some(op) = op {
                op.operation_id = Some(format!("{method}_{base}"));
            }
        }
    }
}

async fn not_found() -> impl IntoResponse {
    ApiError::NotFound
}

async fn method_not_allowed() -> impl IntoResponse {
    ApiError::MethodNotAllowed
}

/// The application router with all middleware, ready to serve.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let body_limits = BodyLimits {
        bytes: body_limit,
        timeout: state.config.body_timeout,
        attachment_bytes: state.config.app.attachment_max_bytes as usize,
    };
    let cors = crate::security::cors(&state.config);
    let (api, mut doc) = api_routes().split_for_parts();
    unique_operation_ids(&mut doc);
    let request_id = HeaderName::from_static(REQUEST_ID);
    api.merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", doc))
        .merge(crate::web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // read_whole_body enforces the real limits (larger for uploads) before any extractor.
        .layer(DefaultBodyLimit::max(body_limits.largest()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::rate_limit,
        ))
        .layer(middleware::from_fn(run_to_completion))
        .layer(middleware::from_fn_with_state(body_limits, read_whole_body))
        .layer(middleware::from_fn(limit_head))
        // Outside the body and head limits, so their refusals carry CORS headers too.
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::headers,
        ))
        .layer(middleware::from_fn(log_and_measure))
        .layer(
            ServiceBuilder::new()
                .layer(MapRequestLayer::new(ensure_request_id))
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .with_state(state)
}
