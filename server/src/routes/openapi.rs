//! `GET /api/openapi.json`: the API described from the handlers' annotations and the contract
//! crate's types, so the document cannot drift from the code it describes.

use axum::Json;
use opsux_core::wire::{
    ActiveRuns, ActiveRunsEvent, ApiErrorBody, BackupScheduleDto, BackupScheduleList,
    BackupSchedulePatch, Catalog, ErrorCode, ErrorEnvelope, GroupDto, GroupList, LoginRequest,
    MeResponse, NewBackupSchedule, NotificationList, NotificationsEvent, PolicyDto, PolicyList,
    PolicySelection, PolicyVersionDto, PolicyVersionList, RunDetail, RunList, RunStreamEvent,
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
        super::inventory::policy,
        super::inventory::policy_versions,
        super::inventory::groups,
        super::schedules::list,
        super::schedules::create,
        super::schedules::show,
        super::schedules::update,
        super::schedules::delete,
    ),
    components(schemas(
        ActiveRuns,
        ActiveRunsEvent,
        ApiErrorBody,
        BackupScheduleDto,
        BackupScheduleList,
        BackupSchedulePatch,
        Catalog,
        ErrorCode,
        ErrorEnvelope,
        GroupDto,
        GroupList,
        LoginRequest,
        MeResponse,
        NotificationList,
        NewBackupSchedule,
        NotificationsEvent,
        PolicyDto,
        PolicyList,
        PolicySelection,
        PolicyVersionDto,
        PolicyVersionList,
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
