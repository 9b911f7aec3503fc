//! Backup schedules: list, create, read, change, delete. Plain records with validation, not
//! operations (running one is `backup_schedule_run`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::Capability;
use opsux_core::wire::{
    BackupScheduleDto, BackupScheduleList, BackupSchedulePatch, ErrorCode, ErrorEnvelope,
    NewBackupSchedule, PolicySelection,
};
use uuid::Uuid;

use crate::auth::TenantAccess;
use crate::clock::{from_ms, to_ms};
use crate::cron::CronSchedule;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::runs::queries::{self, SCHEDULE_HISTORY};
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::schedules::{MAX_PER_TENANT, Schedule};

const MAX_KEEP: u32 = 1000;
const MAX_NAME: usize = 100;
const MAX_SELECTED: usize = opsux_core::params::MAX_BULK_IDS;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, message)
}

fn schedule_not_found() -> ApiError {
    ApiError::not_found("backup schedule")
}

/// The schedule as the API shows it, with its history: its latest runs and last success.
async fn dto(
    state: &AppState,
    tenant: Uuid,
    schedule: Schedule,
    now_ms: i64,
) -> Result<BackupScheduleDto, ApiError> {
    let recent_runs =
        queries::schedule_runs(&state.store, tenant, &schedule.id, false, SCHEDULE_HISTORY).await?;
    let last_success_at = queries::schedule_last_success(&state.store, tenant, &schedule.id)
        .await?
        .map(from_ms);
    Ok(BackupScheduleDto {
        recent_runs,
        last_success_at,
        ..bare(schedule, now_ms)
    })
}

/// The schedule without its history.
fn bare(schedule: Schedule, now_ms: i64) -> BackupScheduleDto {
    let next_runs = if schedule.enabled {
        CronSchedule::parse(&schedule.cron)
            .map(|cron| cron.next_after(now_ms, 3))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    BackupScheduleDto {
        id: schedule.id,
        name: schedule.name,
        cron: schedule.cron,
        policy_selection: schedule.policy_selection,
        keep_last: schedule.keep_last,
        enabled: schedule.enabled,
        next_runs: next_runs.into_iter().map(from_ms).collect(),
        created_at: from_ms(schedule.created_at),
        updated_at: from_ms(schedule.updated_at),
        skipped_at: schedule.skipped.as_ref().map(|s| from_ms(s.at)),
        skip_reason: schedule.skipped.map(|s| s.reason),
        recent_runs: Vec::new(),
        last_success_at: None,
    }
}

/// Checks every field of `schedule`; the first problem, naming its field, is the answer. A
/// cron given anew (`new_cron`) must also fire, and not more often than every 15 minutes.
async fn validate(
    state: &AppState,
    tenant: Uuid,
    schedule: &mut Schedule,
    new_cron: bool,
) -> Result<(), ApiError> {
    schedule.name = schedule.name.trim().to_owned();
    if schedule.name.is_empty() || schedule.name.chars().count() > MAX_NAME {
        return Err(invalid(format!("name must be 1 to {MAX_NAME} characters")));
    }
    schedule.cron = schedule.cron.trim().to_owned();
    let checked = if new_cron {
        CronSchedule::parse_for_schedule(&schedule.cron, to_ms(state.clock.now()))
    } else {
        CronSchedule::parse(&schedule.cron)
    };
    checked.map_err(|e| invalid(format!("cron: {e}")))?;
    if !(1..=MAX_KEEP).contains(&schedule.keep_last) {
        return Err(invalid(format!(
            "keep_last must be between 1 and {MAX_KEEP}"
        )));
    }
    match &schedule.policy_selection {
        PolicySelection::All => {}
        PolicySelection::Kinds(kinds) => {
            if kinds.is_empty() || kinds.len() > 50 || kinds.iter().any(|k| k.trim().is_empty()) {
                return Err(invalid(
                    "policy_selection.kinds must name 1 to 50 kinds, none empty",
                ));
            }
        }
        PolicySelection::PolicyIds(ids) => {
            if ids.is_empty() || ids.len() > MAX_SELECTED {
                return Err(invalid(format!(
                    "policy_selection.policy_ids must hold 1 to {MAX_SELECTED} ids"
                )));
            }
            let missing = state
                .store
                .not_owned(tenant, crate::store::owned::Owned::Policies, ids)
                .await?;
            if let Some(id) = missing.first() {
                return Err(invalid(format!(
                    "policy_selection.policy_ids: {id:?} is not a policy of this tenant"
                )));
            }
        }
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/t/{tenant}/backup-schedules", tag = "backups",
    params(("tenant" = String, Path)),
    responses((status = 200, body = BackupScheduleList), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<BackupScheduleList>, ApiError> {
    access.require(Capability::RunsView)?;
    let now = to_ms(state.clock.now());
    let mut items = Vec::new();
    for schedule in state.store.schedules(access.tenant.id).await? {
        items.push(dto(&state, access.tenant.id, schedule, now).await?);
    }
    Ok(Json(BackupScheduleList { items }))
}

#[utoipa::path(post, path = "/api/t/{tenant}/backup-schedules", tag = "backups",
    params(("tenant" = String, Path)), request_body = NewBackupSchedule,
    responses((status = 201, body = BackupScheduleDto), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "A field is invalid; the message names it")))]
pub(super) async fn create(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(new): ApiJson<NewBackupSchedule>,
) -> Result<(StatusCode, Json<BackupScheduleDto>), ApiError> {
    access.require(Capability::BackupManage)?;
    let now = to_ms(state.clock.now());
    let mut schedule = Schedule {
        id: Uuid::now_v7().to_string(),
        name: new.name,
        cron: new.cron,
        policy_selection: new.policy_selection,
        keep_last: new.keep_last,
        enabled: new.enabled,
        created_at: now,
        updated_at: now,
        skipped: None,
    };
    validate(&state, access.tenant.id, &mut schedule, true).await?;
    if !state
        .store
        .insert_schedule(access.tenant.id, &schedule)
        .await?
    {
        return Err(invalid(format!(
            "{} already has {MAX_PER_TENANT} backup schedules, the most a tenant may have; \
             delete one first",
            access.tenant.slug
        )));
    }
    Ok((StatusCode::CREATED, Json(bare(schedule, now))))
}

#[utoipa::path(get, path = "/api/t/{tenant}/backup-schedules/{id}", tag = "backups",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = BackupScheduleDto), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<BackupScheduleDto>, ApiError> {
    access.require(Capability::RunsView)?;
    let now = to_ms(state.clock.now());
    let schedule = state
        .store
        .schedule(access.tenant.id, &id)
        .await?
        .ok_or_else(schedule_not_found)?;
    Ok(Json(dto(&state, access.tenant.id, schedule, now).await?))
}

#[utoipa::path(patch, path = "/api/t/{tenant}/backup-schedules/{id}", tag = "backups",
    params(("tenant" = String, Path), ("id" = String, Path)), request_body = BackupSchedulePatch,
    responses((status = 200, body = BackupScheduleDto), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(super) async fn update(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
    ApiJson(patch): ApiJson<BackupSchedulePatch>,
) -> Result<Json<BackupScheduleDto>, ApiError> {
    access.require(Capability::BackupManage)?;
    let now = to_ms(state.clock.now());
    let Some(mut schedule) = state.store.schedule(access.tenant.id, &id).await? else {
        return Err(schedule_not_found());
    };
    if let Some(name) = patch.name {
        schedule.name = name;
    }
    let new_cron = patch
        .cron
        .as_ref()
        .is_some_and(|cron| cron.trim() != schedule.cron);
    if let Some(cron) = patch.cron {
        schedule.cron = cron;
    }
    if let Some(selection) = patch.policy_selection {
        schedule.policy_selection = selection;
    }
    if let Some(keep_last) = patch.keep_last {
        schedule.keep_last = keep_last;
    }
    if let Some(enabled) = patch.enabled {
        schedule.enabled = enabled;
    }
    schedule.updated_at = now;
    validate(&state, access.tenant.id, &mut schedule, new_cron).await?;
    if !state
        .store
        .update_schedule(access.tenant.id, &schedule)
        .await?
    {
        return Err(schedule_not_found());
    }
    Ok(Json(dto(&state, access.tenant.id, schedule, now).await?))
}

#[utoipa::path(delete, path = "/api/t/{tenant}/backup-schedules/{id}", tag = "backups",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 204, description = "Deleted; its backup sets stay"), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn delete(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    access.require(Capability::BackupManage)?;
    let actor = Actor::Person(access.user.id);
    let now = to_ms(state.clock.now());
    if state
        .store
        .delete_schedule(access.tenant.id, &id, actor, now)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(schedule_not_found())
    }
}
