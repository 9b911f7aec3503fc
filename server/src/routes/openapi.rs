//! `GET /api/openapi.json`: the API described from the handlers' annotations and the contract
//! crate's types, so the document cannot drift from the code it describes.

use axum::Json;
use opsux_core::wire::{
    ActiveRuns, ActiveRunsEvent, ApiErrorBody, AuditEntryDto, AuditLog, BackupItemDto,
    BackupScheduleDto, BackupScheduleList, BackupSchedulePatch, BackupSetDetail, BackupSetDto,
    BackupSetList, Catalog, ErrorCode, ErrorEnvelope, ExportDto, GroupDto, GroupList, LoginRequest,
    MeResponse, NewBackupSchedule, NewBackupSet, NewRestoreRun, NotificationList,
    NotificationsEvent, PolicyDto, PolicyKinds, PolicyList, PolicySelection, PolicyVersionDto,
    PolicyVersionList, RestoreRunDto, RestoreRunList, RunDetail, RunList, RunStreamEvent,
    RunSummary, StartRunRequest, StartRunResponse,
};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "opsux",
        description = "Long-running operations of a multi-tenant admin panel: start them, follow them, hear how they ended. State-changing requests need an `Origin` header equal to the server's own origin or an allow-listed embed origin; tenant routes answer 404 to non-members."
    ),
    paths(
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::catalog::show,
        super::runs::list,
        super::runs::start,
        super::runs::active,
        super::runs::show,
        super::runs::cancel,
        super::notifications::list,
        super::notifications::read_one,
        super::notifications::read_all,
        super::streams::active_runs,
        super::streams::run,
        super::streams::notifications,
        super::inventory::policies,
        super::inventory::policy_kinds,
        super::inventory::policy,
        super::inventory::policy_versions,
        super::inventory::groups,
        super::schedules::list,
        super::schedules::create,
        super::schedules::show,
        super::schedules::update,
        super::schedules::delete,
        super::backups::sets,
        super::backups::create_set,
        super::backups::set,
        super::backups::restore_runs,
        super::backups::create_restore_run,
        super::backups::restore_run,
        super::backups::archive_restore_run,
        super::audit::show,
        super::exports::of_run,
        super::exports::download,
    ),
    components(schemas(
        ActiveRuns,
        ActiveRunsEvent,
        ApiErrorBody,
        AuditEntryDto,
        AuditLog,
        BackupItemDto,
        BackupScheduleDto,
        BackupScheduleList,
        BackupSchedulePatch,
        BackupSetDetail,
        BackupSetDto,
        BackupSetList,
        Catalog,
        ErrorCode,
        ErrorEnvelope,
        ExportDto,
        GroupDto,
        GroupList,
        LoginRequest,
        MeResponse,
        NotificationList,
        NewBackupSchedule,
        NewBackupSet,
        NewRestoreRun,
        NotificationsEvent,
        PolicyDto,
        PolicyList,
        PolicyKinds,
        PolicySelection,
        PolicyVersionDto,
        PolicyVersionList,
        RestoreRunDto,
        RestoreRunList,
        RunDetail,
        RunList,
        RunStreamEvent,
        RunSummary,
        StartRunRequest,
        StartRunResponse,
    ))
)]
pub(super) struct ApiDoc;

pub(super) async fn show() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
