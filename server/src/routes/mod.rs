//! The HTTP API, one file per resource.

mod account;
mod audit;
mod auth;
mod backups;
mod catalog;
mod exports;
mod health;
mod inventory;
mod invitations;
mod members;
mod notifications;
mod oidc;
mod openapi;
mod overview;
mod paging;
mod runs;
mod schedules;
mod streams;
mod tokens;
mod webhooks;
mod worker;
mod workspace;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::auth::require_tenant_member;
use crate::error;
use crate::state::AppState;

pub use crate::error::MAX_BODY_BYTES;

/// Everything under `/api`; unknown paths and methods answer with the error envelope.
pub fn api(state: &AppState) -> Router<AppState> {
    // Every tenant-scoped route, stream included, passes the one membership guard (R16).
    // The embeddable widget's two routes also grant CORS to the allow-listed origins (SPEC §8);
    // the CORS layer sits outside the guard, so preflights (which carry no cookie) are answered
    // and a refusal is readable by the widget, which then says why.
    // The OPTIONS routes exist so the CORS layer sees preflights (it answers them itself).
    let widget = Router::new()
        .route("/operations/active", get(runs::active).options(preflight))
        .route(
            "/operations/stream",
            get(streams::active_runs).options(preflight),
        )
        .route_layer(from_fn_with_state(state.clone(), require_tenant_member))
        .layer(crate::security::widget_cors(&state.config));
    let tenant = Router::new()
        .route("/overview", get(overview::show))
        .route("/operations", get(runs::list).post(runs::start))
        .route("/operations/{id}", get(runs::show))
        .route("/operations/{id}/cancel", post(runs::cancel))
        .route("/operations/{id}/stream", get(streams::run))
        .route("/operations/{id}/export", get(exports::of_run))
        .route("/exports/{id}/download", get(exports::download))
        .route("/policies", get(inventory::policies))
        .route("/policies/kinds", get(inventory::policy_kinds))
        .route("/policies/{id}", get(inventory::policy))
        .route("/policies/{id}/versions", get(inventory::policy_versions))
        .route("/groups", get(inventory::groups))
        .route(
            "/backup-schedules",
            get(schedules::list).post(schedules::create),
        )
        .route("/audit-log", get(audit::show))
        .route("/members", get(members::list))
        .route("/webhooks", get(webhooks::list).post(webhooks::add))
        .route("/webhooks/{name}", axum::routing::delete(webhooks::remove))
        .route("/webhooks/{name}/test", post(webhooks::send_test))
        .route("/webhooks/{name}/resume", post(webhooks::resume))
        .route(
            "/webhooks/{name}/rotate-secret",
            post(webhooks::rotate_secret),
        )
        .route(
            "/webhooks/{name}/deliveries/{id}/resend",
            post(webhooks::resend),
        )
        .route(
            "/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route(
            "/invitations/{id}",
            axum::routing::delete(invitations::revoke),
        )
        .route(
            "/members/{user_id}",
            axum::routing::put(members::change_role).delete(members::remove),
        )
        .route("/backup-sets", get(backups::sets).post(backups::create_set))
        .route("/backup-sets/{id}", get(backups::set))
        .route(
            "/restore-runs",
            get(backups::restore_runs).post(backups::create_restore_run),
        )
        .route("/restore-runs/{id}", get(backups::restore_run))
        .route(
            "/restore-runs/{id}/archive",
            post(backups::archive_restore_run),
        )
        .route(
            "/backup-schedules/{id}",
            get(schedules::show)
                .patch(schedules::update)
                .delete(schedules::delete),
        )
        .route_layer(from_fn_with_state(state.clone(), require_tenant_member))
        .merge(widget);
    Router::new()
        .route("/catalog", get(catalog::show))
        .route("/openapi.json", get(openapi::show))
        .route("/setup", get(auth::setup))
        .route("/invitations/{token}", get(invitations::show))
        .route("/invitations/{token}/accept", post(invitations::accept))
        .route("/login", post(auth::login))
        .route("/oidc/login", get(oidc::login))
        .route("/oidc/callback", get(oidc::callback))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/password", post(account::change_password))
        .route("/me/sessions", get(account::sessions))
        .route("/me/sessions/end-all", post(account::end_all))
        .route("/workspace", get(workspace::show))
        .route("/workspace/audit-log", get(workspace::audit_log))
        .route("/workspace/tenants", post(workspace::add_tenant))
        .route(
            "/workspace/tenants/{slug}",
            axum::routing::patch(workspace::rename_tenant),
        )
        .route(
            "/workspace/tenants/{slug}/connection",
            axum::routing::put(workspace::connect_tenant),
        )
        .route(
            "/workspace/tenants/{slug}/connection/test",
            post(workspace::test_connection),
        )
        .route(
            "/workspace/tenants/{slug}/tokens/{name}",
            axum::routing::delete(workspace::revoke_token),
        )
        .route("/me/notifications", get(notifications::list))
        .route("/me/notifications/read-all", post(notifications::read_all))
        .route("/me/notifications/stream", get(streams::notifications))
        .route("/me/notifications/{id}/read", post(notifications::read_one))
        // Other services, with a tenant's API token instead of a session (no guard here: the
        // token is the credential, checked by `TokenAccess` in each handler).
        .route("/v1/t/{tenant}/operations", post(tokens::start))
        .route("/v1/worker/claim", post(worker::claim))
        .route("/v1/worker/runs/{id}/heartbeat", post(worker::heartbeat))
        .route("/v1/worker/runs/{id}/progress", post(worker::progress))
        .route("/v1/worker/runs/{id}/complete", post(worker::complete))
        .nest("/t/{tenant}", tenant)
        .fallback(error::api_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Reached only by an OPTIONS request that is not a CORS preflight: nothing to say.
async fn preflight() -> axum::http::StatusCode {
    axum::http::StatusCode::NO_CONTENT
}

/// Liveness and metrics, outside `/api` where probes and scrapers expect them.
pub fn health() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::show))
        .route("/metrics", get(crate::metrics::show))
}
