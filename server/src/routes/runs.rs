//! The runs of a tenant: list, active, detail, start, cancel. Every route here sits behind the
//! tenant guard, so `TenantAccess` is always a member of the tenant in the path.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::wire::{
    ActiveRuns, ErrorCode, ErrorEnvelope, RunDetail, RunList, RunSummary, StartResult,
    StartRunRequest, StartRunResponse,
};
use opsux_core::{
    Capability, OperationParams, OperationType, ParamsError, RunId, RunOutcome, RunStatus, UserId,
    presenter,
};
use serde::Deserialize;

use crate::auth::TenantAccess;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::org::{self, RegisteredType};
use crate::runs::queries::{self, Cursor, RunFilter};
use crate::runs::{StartRun, TenantRef};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    #[serde(rename = "type")]
    operation: Option<String>,
    status: Option<String>,
    outcome: Option<String>,
    initiator: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

use super::paging::{self, bad_request};

impl ListQuery {
    fn filter(&self) -> Result<RunFilter, ApiError> {
        Ok(RunFilter {
            operation: self
                .operation
                .as_deref()
                .map(|t| t.parse::<OperationType>().map_err(|e| bad_request(e.to_string())))
                .transpose()?,
            status: self
                .status
                .as_deref()
                .map(|s| {
                    RunStatus::parse(s).ok_or_else(|| {
                        bad_request(format!("unknown status {s:?}; known: queued, running, completed"))
                    })
                })
                .transpose()?,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| {
                    RunOutcome::parse(o).ok_or_else(|| {
                        bad_request(format!(
                            "unknown outcome {o:?}; known: succeeded, partially_succeeded, failed, cancelled"
                        ))
                    })
                })
                .transpose()?,
            initiator: self
                .initiator
                .as_deref()
                .map(|u| u.parse::<UserId>().map_err(|e| bad_request(e.to_string())))
                .transpose()?,
        })
    }
}

#[utoipa::path(get, path = "/api/t/{tenant}/operations", tag = "runs",
    params(("tenant" = String, Path, description = "Tenant slug"),
           ("type" = Option<String>, Query), ("status" = Option<String>, Query), ("outcome" = Option<String>, Query),
           ("initiator" = Option<String>, Query, description = "User id"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, body = RunList), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope, description = "Not a member of the tenant")))]
pub(super) async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<RunList>, ApiError> {
    access.require(Capability::RunsView)?;
    let filter = query.filter()?;
    let cursor = paging::cursor(query.cursor.as_deref(), Cursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let (runs, next) =
        queries::list(&state.store, access.tenant.id, &filter, cursor, limit).await?;
    Ok(Json(RunList {
        items: runs,
        next_cursor: next.map(|c| c.encode()),
    }))
}

#[utoipa::path(get, path = "/api/t/{tenant}/operations/active", tag = "runs",
    params(("tenant" = String, Path)), responses((status = 200, body = ActiveRuns), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn active(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<ActiveRuns>, ApiError> {
    access.require(Capability::RunsView)?;
    let runs = queries::active(&state.store, access.tenant.id).await?;
    Ok(Json(ActiveRuns { items: runs }))
}

pub(super) fn parse_run_id(raw: &str) -> Result<RunId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("run"))
}

#[utoipa::path(get, path = "/api/t/{tenant}/operations/{id}", tag = "runs",
    params(("tenant" = String, Path), ("id" = String, Path)), responses((status = 200, body = RunDetail), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<RunDetail>, ApiError> {
    access.require(Capability::RunsView)?;
    let id = parse_run_id(&id)?;
    let run = queries::get(&state.store, access.tenant.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    Ok(Json(run.detail()))
}

#[utoipa::path(post, path = "/api/t/{tenant}/operations", tag = "runs", params(("tenant" = String, Path)),
    request_body = StartRunRequest,
    responses((status = 202, body = StartRunResponse, description = "Queued, or the identical active run (already_queued)"),
              (status = 400, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "The tenant or the person has the most active runs allowed"),
              (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(super) async fn start(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(req): ApiJson<StartRunRequest>,
) -> Result<(StatusCode, Json<StartRunResponse>), ApiError> {
    let rule = StartRule::of(&state, req.operation).await?;
    access.require(rule.capability)?;
    start_for(&state, &access.tenant, &req, &rule, Some(access.user.id)).await
}

/// What starting an operation takes: the capability a person needs, and for a type another
/// service registered, its definition (the schema its parameters must meet).
pub(super) struct StartRule {
    pub(super) capability: Capability,
    pub(super) registered: Option<RegisteredType>,
}

impl StartRule {
    /// 403 for an operation only the system starts; 422 for a key no type is registered as.
    pub(super) async fn of(state: &AppState, operation: OperationType) -> Result<Self, ApiError> {
        if let OperationType::External(key) = operation {
            let registered = org::registered_type(&state.store, key)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::ValidationFailed,
                        format!(
                            "type: {key} is not a registered operation type \
                             (`opsux operation-type list` shows them)"
                        ),
                    )
                })?;
            return Ok(Self {
                capability: registered.capability,
                registered: Some(registered),
            });
        }
        let capability = operation.start_capability().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Forbidden,
                format!("{operation} is started by the system only"),
            )
        })?;
        Ok(Self {
            capability,
            registered: None,
        })
    }
}

/// Starts `req` in `tenant` for `initiator` (a system run without one) once the caller's right
/// to has been checked: the panel's start and the API tokens' start answer alike.
pub(super) async fn start_for(
    state: &AppState,
    tenant: &TenantRef,
    req: &StartRunRequest,
    rule: &StartRule,
    initiator: Option<UserId>,
) -> Result<(StatusCode, Json<StartRunResponse>), ApiError> {
    // Parameters are checked before any run exists (a 422 naming the field), and the run
    // carries their canonical form, from which its identity is computed (R4).
    let invalid = |err: ParamsError| ApiError::new(ErrorCode::ValidationFailed, err.to_string());
    let params = match &rule.registered {
        Some(registered) => {
            registered.check_params(&req.params).map_err(invalid)?;
            OperationParams::External {
                key: registered.key,
                params: req.params.clone(),
            }
        }
        None => {
            let params = OperationParams::parse(req.operation, &req.params).map_err(invalid)?;
            if let Some(err) = state.store.unowned_target(tenant.id, &params).await? {
                return Err(invalid(err));
            }
            params
        }
    };
    let started = state
        .runs
        .start(StartRun {
            tenant: tenant.clone(),
            params,
            initiator,
            slot: None,
        })
        .await?;
    if started.result == StartResult::Queued {
        state.wake_worker.notify_one();
    }
    let run = started.run.into_summary();
    let toast = match started.result {
        StartResult::Queued => presenter::queued_toast(&run.label, &run.tenant, run.id),
        StartResult::AlreadyQueued => {
            presenter::already_queued_toast(&run.label, &run.tenant, run.id)
        }
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(StartRunResponse {
            result: started.result,
            view_run_url: presenter::view_run_url(&run.tenant, run.id),
            run,
            toast,
        }),
    ))
}

#[utoipa::path(post, path = "/api/t/{tenant}/operations/{id}/cancel", tag = "runs",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RunSummary, description = "Cancelled (queued) or asked to stop (running)"),
              (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<RunSummary>, ApiError> {
    access.require(Capability::RunsCancel)?;
    let id = parse_run_id(&id)?;
    let run = state.runs.cancel(access.tenant.id, id).await?;
    Ok(Json(run.into_summary()))
}
