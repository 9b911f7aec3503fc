//! `GET /api/openapi.json`: the API described from the handlers' annotations and the contract
//! crate's types, so the document cannot drift from the code it describes.

use axum::Json;
use opsux_core::wire::{
    AcceptInvitation, ActiveRuns, ActiveRunsEvent, ApiErrorBody, ApiTokenDto, AuditEntryDto,
    AuditLog, BackupItemDto, BackupScheduleDto, BackupScheduleList, BackupSchedulePatch,
    BackupSetDetail, BackupSetDto, BackupSetList, Catalog, ClaimRequest, ClaimResponse,
    CompleteRequest, CompleteResponse, ConnectTenant, ConnectionCheck, ConnectionDto,
    CreatedInvitation, DayOutcomes, ErrorCode, ErrorEnvelope, ExportDto, GroupDto, GroupList,
    HeartbeatRequest, HeartbeatResponse, Initiator, InvitationDto, InvitationList, InvitationView,
    LoginRequest, MeResponse, MemberDto, MemberList, NewBackupSchedule, NewBackupSet,
    NewInvitation, NewRestoreRun, NewTenant, NewWebhook, NextBackup, NotificationList,
    NotificationsEvent, OverviewFailure, OwnerDto, PasswordChange, PolicyDto, PolicyKinds,
    PolicyList, PolicySelection, PolicyVersionDto, PolicyVersionList, ProgressRequest,
    ProgressResponse, RestoreRunDto, RestoreRunList, RoleChange, RunDetail, RunList,
    RunStreamEvent, RunSummary, SessionDto, SessionList, SetupStatus, StartRunRequest,
    StartRunResponse, TenantOverview, TenantRename, TokenStartRequest, WebhookDeliveryDto,
    WebhookDto, WebhookList, WebhookSecretShown, WorkerRun, WorkspaceDto, WorkspaceOverview,
    WorkspaceTenantDto,
};
use serde_json::{Value, json};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

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
        super::auth::setup,
        super::workspace::show,
        super::workspace::audit_log,
        super::workspace::add_tenant,
        super::workspace::revoke_token,
        super::workspace::rename_tenant,
        super::workspace::connect_tenant,
        super::workspace::test_connection,
        super::oidc::login,
        super::oidc::callback,
        super::account::change_password,
        super::account::sessions,
        super::account::end_all,
        super::members::list,
        super::members::change_role,
        super::members::remove,
        super::invitations::list,
        super::invitations::create,
        super::invitations::revoke,
        super::invitations::show,
        super::invitations::accept,
        super::catalog::show,
        super::overview::show,
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
        super::tokens::start,
        super::worker::claim,
        super::worker::heartbeat,
        super::worker::progress,
        super::worker::complete,
        super::webhooks::list,
        super::webhooks::add,
        super::webhooks::remove,
        super::webhooks::send_test,
        super::webhooks::resume,
        super::webhooks::rotate_secret,
        super::webhooks::resend,
    ),
    modifiers(&CommonErrors, &ApiTokens),
    components(schemas(
        ApiTokenDto,
        ClaimRequest,
        ClaimResponse,
        CompleteRequest,
        CompleteResponse,
        HeartbeatRequest,
        HeartbeatResponse,
        ProgressRequest,
        ProgressResponse,
        WorkerRun,
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
        SetupStatus,
        ConnectTenant,
        ConnectionCheck,
        ConnectionDto,
        NewTenant,
        OwnerDto,
        TenantRename,
        WorkspaceOverview,
        WorkspaceTenantDto,
        PasswordChange,
        SessionDto,
        SessionList,
        MemberDto,
        MemberList,
        RoleChange,
        AcceptInvitation,
        CreatedInvitation,
        InvitationDto,
        InvitationList,
        InvitationView,
        NewInvitation,
        WorkspaceDto,
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
        TokenStartRequest,
        Initiator,
        TenantOverview,
        OverviewFailure,
        NextBackup,
        DayOutcomes,
        NewWebhook,
        WebhookDto,
        WebhookDeliveryDto,
        WebhookList,
        WebhookSecretShown,
        crate::webhooks::event::RunEndedEvent,
        crate::webhooks::event::RunEndedData,
        crate::webhooks::event::Failure,
        crate::webhooks::event::WebhookInitiator,
        crate::webhooks::event::TestEvent,
        crate::webhooks::event::TestData,
    ))
)]
pub(super) struct ApiDoc;

/// The scheme of `/api/v1/…`: a tenant's API token (`opsux token create`) as a bearer token.
struct ApiTokens;

impl Modify for ApiTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A tenant's API token, made with `opsux token create`; it works on its tenant's paths only".to_owned(),
        );
        components.add_security_scheme("api_token", SecurityScheme::Http(scheme));
    }
}

/// The errors any operation of a kind may answer, whatever its handler says, added to every
/// operation that does not list them itself: so the document is true of every answer
/// (checked by property-based fuzzing in `cargo xtask test`).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let operations = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ];
            for (changes_state, operation) in operations {
                let Some(operation) = operation else { continue };
                for (status, why) in common_errors(path, changes_state, operation) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| envelope(why));
                }
            }
        }
    }
}

/// Which statuses an operation at `path` may answer besides its own.
fn common_errors(
    path: &str,
    changes_state: bool,
    operation: &Operation,
) -> Vec<(&'static str, &'static str)> {
    let mut errors = vec![
        (
            "400",
            "Malformed request, or a host name this server does not answer for",
        ),
        ("408", "The request body did not arrive in time"),
        ("503", "The server did not answer in time"),
    ];
    let public = matches!(path, "/api/catalog" | "/api/openapi.json" | "/api/login");
    if !public {
        errors.push(("401", "Not signed in"));
    }
    if changes_state {
        errors.push((
            "403",
            "Foreign or missing Origin, or a capability the caller lacks",
        ));
    }
    if path.starts_with("/api/t/{tenant}") {
        errors.push((
            "404",
            "No such tenant, or not a member of it (R16); or no such record",
        ));
        errors.push(("403", "A capability the caller lacks"));
    }
    if operation.request_body.is_some() {
        errors.push(("413", "The body is larger than the limit"));
        errors.push(("415", "The body is not JSON"));
        errors.push((
            "422",
            "The body is well-formed but a value is not acceptable",
        ));
    }
    if path.ends_with("/stream") {
        errors.push(("429", "The person holds the most event streams allowed"));
    }
    errors
}

fn envelope(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
            .build(),
    )
}

pub(super) async fn show() -> Json<Value> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    // OpenAPI 3.1's `webhooks`: what opsux sends (utoipa has no field for it yet).
    doc["webhooks"] = webhooks();
    Json(doc)
}

/// The events opsux posts to a tenant's webhook endpoints, with their signing headers.
fn webhooks() -> Value {
    let headers = json!([
        {"name": "webhook-id", "in": "header", "required": true,
         "description": "`msg_…`: the same on every attempt of one delivery; dedupe on it",
         "schema": {"type": "string"}},
        {"name": "webhook-timestamp", "in": "header", "required": true,
         "description": "When this attempt was signed, in Unix seconds",
         "schema": {"type": "string"}},
        {"name": "webhook-signature", "in": "header", "required": true,
         "description": "`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the endpoint's secret (`whsec_` and base64) decoded, as Standard Webhooks specifies",
         "schema": {"type": "string"}}
    ]);
    let event = |summary: &str, description: &str, schema: &str| {
        json!({"post": {
            "summary": summary,
            "description": description,
            "parameters": headers,
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{schema}")}}}},
            "responses": {"2XX": {"description": "Received: the delivery has ended"},
                          "default": {"description": "Tried again after 5 s, 1 min, 5 min, 30 min, 2 h, 6 h and 12 h, then failed"}}
        }})
    };
    json!({
        "run.ended": event(
            "A run ended",
            "Sent once per run and matching endpoint (its filters: only failed, only system runs, some types), written in the same transaction as the run's end.",
            "RunEndedEvent"),
        "webhook.test": event(
            "A test event",
            "Sent by *Send test event* on the Webhooks page, or `opsux webhook test`.",
            "TestEvent"),
    })
}
