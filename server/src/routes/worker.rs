//! `/api/v1/worker/…`: another service's worker, with a tenant's API token of scope
//! `runs:work`, claims runs of registered types and moves them on over HTTP: heartbeat,
//! progress, complete. Every request after the claim names the run and carries its fencing
//! token; the run service checks it in the same statement that writes (409 when it is not the
//! run's), so a worker whose lease ran out cannot touch the run another worker now holds.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use opsux_core::wire::{
    ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse, DEFAULT_LEASE_SECS,
    DEFAULT_WAIT_SECS, ErrorCode, ErrorEnvelope, HeartbeatRequest, HeartbeatResponse, LEASE_SECS,
    MAX_CLAIM, MAX_WAIT_SECS, ProgressRequest, ProgressResponse, WorkerRun,
};
use opsux_core::{
    ExternalKey, FailureSummary, OperationType, RunId, RunOutcome, RunStatus, SummaryCounts,
};
use tokio::sync::broadcast;

use super::runs::parse_run_id;
use crate::auth::TokenAccess;
use crate::clock::from_ms;
use crate::error::ApiError;
use crate::events::Event;
use crate::extract::{ApiJson, ApiPath};
use crate::org::{self, RegisteredType, TokenScope};
use crate::runs::{RemoteEnd, queries};
use crate::state::AppState;

/// How often a waiting claim looks again without having heard of a new run: a run queued by
/// another process on SQLite is not announced here.
const RECHECK: Duration = Duration::from_secs(1);

/// How long before the server's request time limit a waiting claim answers.
const WITHIN_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

#[utoipa::path(post, path = "/api/v1/worker/claim", tag = "api tokens",
    request_body = ClaimRequest,
    security(("api_token" = [])),
    responses((status = 200, body = ClaimResponse, description = "The claimed runs, oldest first; empty when none was waiting before the wait (`wait_secs`) ended"),
              (status = 401, body = ErrorEnvelope, description = "No token, or one unknown, expired or revoked"),
              (status = 403, body = ErrorEnvelope, description = "The token lacks runs:work or one of the types"),
              (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "A type that is not registered, or a number out of range")))]
pub(super) async fn claim(
    State(state): State<AppState>,
    access: TokenAccess,
    ApiJson(req): ApiJson<ClaimRequest>,
) -> Result<Json<ClaimResponse>, ApiError> {
    access.require(TokenScope::RunsWork)?;
    let mut types = Vec::with_capacity(req.types.len());
    for operation in &req.types {
        types.push(registered_key(&state, &access, *operation).await?.key);
    }
    if types.is_empty() {
        return Err(invalid(
            "types: name at least one registered type this worker does",
        ));
    }
    let max = in_range("max", req.max.unwrap_or(1), 1..=MAX_CLAIM)?;
    let lease = lease(req.lease_secs)?;
    let asked = Duration::from_secs(u64::from(in_range(
        "wait_secs",
        req.wait_secs.unwrap_or(DEFAULT_WAIT_SECS),
        0..=MAX_WAIT_SECS,
    )?));
    // Answered well within the server's own time limit on a request, so a long poll is never
    // cut off as a timeout.
    let wait = asked.min(
        state
            .config
            .request_timeout
            .saturating_sub(WITHIN_REQUEST_TIMEOUT),
    );
    // Listening before the first look, so a run queued between the two is not missed.
    let mut changes = state.events.subscribe_tenant(&access.tenant.slug);
    let deadline = tokio::time::Instant::now() + wait;
    let stopping = state.shutting_down();
    tokio::pin!(stopping);
    let mut look = true;
    loop {
        // The claim is a write; after the first, only once a read saw a run to take, so an
        // idle worker's wait costs reads.
        let claimed = if look {
            state
                .runs
                .claim_registered_for(access.tenant.id, types.clone(), max as usize, lease)
                .await?
        } else {
            Vec::new()
        };
        let now = tokio::time::Instant::now();
        if !claimed.is_empty() || now >= deadline {
            let runs = claimed
                .into_iter()
                .map(|c| WorkerRun {
                    id: c.run.id(),
                    operation: c.run.summary().operation,
                    params: params_of(c.run.context()),
                    attempt: c.run.summary().attempt,
                    fencing_token: c.fencing_token,
                    lease_expires_at: from_ms(c.lease_expires_ms),
                })
                .collect();
            return Ok(Json(ClaimResponse { runs }));
        }
        let pause = RECHECK.min(deadline - now);
        tokio::select! {
            () = queued(&mut changes, &types) => look = true,
            () = tokio::time::sleep(pause) => {
                look = state.store.queued_of_types(access.tenant.id, &types).await?;
            }
            // A shutting-down server answers at once: the worker asks the next one.
            () = &mut stopping => return Ok(Json(ClaimResponse { runs: Vec::new() })),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/worker/runs/{id}/heartbeat", tag = "api tokens",
    params(("id" = String, Path)),
    request_body = HeartbeatRequest,
    security(("api_token" = [])),
    responses((status = 200, body = HeartbeatResponse, description = "The lease is extended; `cancel_requested` says whether to stop"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "No run of a registered type with this id in the token's tenant"),
              (status = 409, body = ErrorEnvelope, description = "The fencing token is not the run's: its lease passed on, or it ended"),
              (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(super) async fn heartbeat(
    State(state): State<AppState>,
    access: TokenAccess,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<HeartbeatRequest>,
) -> Result<Json<HeartbeatResponse>, ApiError> {
    let Worked { id, .. } = worked_run(&state, &access, &id).await?;
    let lease = lease(req.lease_secs)?;
    let renewed = state
        .runs
        .renew_registered(access.tenant.id, id, &req.fencing_token, lease)
        .await?;
    Ok(Json(HeartbeatResponse {
        cancel_requested: renewed.cancel_requested,
        lease_expires_at: from_ms(renewed.lease_expires_ms),
    }))
}

#[utoipa::path(post, path = "/api/v1/worker/runs/{id}/progress", tag = "api tokens",
    params(("id" = String, Path)),
    request_body = ProgressRequest,
    security(("api_token" = [])),
    responses((status = 200, body = ProgressResponse, description = "Stored; `cancel_requested` says whether to stop"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "The fencing token is not the run's"),
              (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "A count outside the type's summary keys (nothing is written)")))]
pub(super) async fn progress(
    State(state): State<AppState>,
    access: TokenAccess,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ProgressRequest>,
) -> Result<Json<ProgressResponse>, ApiError> {
    let Worked { id, registered, .. } = worked_run(&state, &access, &id).await?;
    allowed_counts(&registered, &req.counts)?;
    let cancel_requested = state
        .runs
        .progress_registered(access.tenant.id, id, &req.fencing_token, req.counts)
        .await?;
    Ok(Json(ProgressResponse { cancel_requested }))
}

#[utoipa::path(post, path = "/api/v1/worker/runs/{id}/complete", tag = "api tokens",
    params(("id" = String, Path)),
    request_body = CompleteRequest,
    security(("api_token" = [])),
    responses((status = 200, body = CompleteResponse, description = "The run as it ended; its initiator has their one notification"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "The fencing token is not the run's, or it has ended"),
              (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "A count outside the type's summary keys (nothing is written)")))]
pub(super) async fn complete(
    State(state): State<AppState>,
    access: TokenAccess,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CompleteRequest>,
) -> Result<Json<CompleteResponse>, ApiError> {
    let run = worked_run(&state, &access, &id).await?;
    allowed_counts(&run.registered, &req.counts)?;
    if req.outcome == RunOutcome::Cancelled && !run.cancel_requested {
        return Err(invalid(
            "outcome: cancelled is for a run a person asked to cancel (the heartbeat's and \
             progress's cancel_requested); a run that stopped on its own failed",
        ));
    }
    let mut failures = FailureSummary::new();
    for failure in &req.failures {
        failures.push(failure.reason_code, &failure.message);
    }
    let end = RemoteEnd {
        outcome: req.outcome,
        counts: req.counts,
        failures,
    };
    let run = state
        .runs
        .complete_registered(access.tenant.id, run.id, &req.fencing_token, end)
        .await?;
    Ok(Json(CompleteResponse {
        run: run.into_summary(),
    }))
}

/// A run a worker reports on: its id, its type, and whether a person asked to cancel it.
struct Worked {
    id: RunId,
    registered: RegisteredType,
    cancel_requested: bool,
}

/// The run `raw_id` names, if it is a run of a registered type in the token's tenant that the
/// token may work (404 otherwise: a token learns nothing of runs it may not touch).
async fn worked_run(
    state: &AppState,
    access: &TokenAccess,
    raw_id: &str,
) -> Result<Worked, ApiError> {
    access.require(TokenScope::RunsWork)?;
    let id = parse_run_id(raw_id)?;
    let run = queries::get(&state.store, access.tenant.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let operation = run.summary().operation;
    if !operation.is_external() || !access.grant.allows_type(operation.as_str()) {
        return Err(ApiError::not_found("run"));
    }
    let registered = registered_key(state, access, operation).await?;
    Ok(Worked {
        id,
        registered,
        cancel_requested: run.summary().cancel_requested,
    })
}

/// The registered type `operation` names, if the token may work it. A type removed since its
/// run was started is still worked: removing one stops new starts, not runs already there.
async fn registered_key(
    state: &AppState,
    access: &TokenAccess,
    operation: OperationType,
) -> Result<RegisteredType, ApiError> {
    let OperationType::External(key) = operation else {
        return Err(invalid(format!(
            "types: {operation} is a built-in operation, done by opsux itself; workers here do \
             registered types"
        )));
    };
    access.require_type(key.as_str())?;
    org::known_type(&state.store, key)
        .await?
        .ok_or_else(|| invalid(not_registered(key)))
}

fn not_registered(key: ExternalKey) -> String {
    format!("types: {key} is not a registered operation type (`opsux operation-type list`)")
}

/// 422, nothing written, when the counts use a key the type does not allow (R5).
fn allowed_counts(registered: &RegisteredType, counts: &SummaryCounts) -> Result<(), ApiError> {
    registered
        .check_counts(counts)
        .map_err(|message| invalid(format!("counts: {message}")))
}

fn lease(secs: Option<u32>) -> Result<Duration, ApiError> {
    let secs = in_range("lease_secs", secs.unwrap_or(DEFAULT_LEASE_SECS), LEASE_SECS)?;
    Ok(Duration::from_secs(u64::from(secs)))
}

fn in_range(
    field: &str,
    value: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ApiError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(invalid(format!(
            "{field}: give {}–{}, not {value}",
            range.start(),
            range.end()
        )))
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, message)
}

/// The start parameters a run stored.
fn params_of(
    context: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    match context.get("params") {
        Some(serde_json::Value::Object(params)) => params.clone(),
        _ => serde_json::Map::new(),
    }
}

/// Resolves when a run of one of `types` is queued in the stream's tenant (or the stream fell
/// behind, when one may have been).
async fn queued(changes: &mut broadcast::Receiver<std::sync::Arc<Event>>, types: &[ExternalKey]) {
    loop {
        match changes.recv().await {
            Ok(event) => {
                if let Event::RunChanged(run) = &*event
                    && run.status == RunStatus::Queued
                    && matches!(run.operation, OperationType::External(key) if types.contains(&key))
                {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => return,
            // The hub is gone (shutdown): the caller's timer ends the wait.
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}
