//! The JSON shapes of the HTTP API and the event streams, shared by the server (which writes
//! them) and the browser (which reads them). Each file holds one resource.

mod account;
mod audit;
mod backup;
mod catalog;
mod error;
mod inventory;
mod me;
mod members;
mod notification;
mod overview;
mod run;
mod run_list;
mod start;
mod stream;
mod webhook;
mod worker;
mod workspace;

pub use account::{PasswordChange, SessionDto, SessionList};
pub use audit::{AuditEntryDto, AuditLog};
pub use backup::{
    BackupItemDto, BackupScheduleDto, BackupScheduleList, BackupSchedulePatch, BackupSetDetail,
    BackupSetDto, BackupSetList, NewBackupSchedule, NewBackupSet, NewRestoreRun, PolicySelection,
    RestoreRunDto, RestoreRunList,
};
pub use catalog::{BadgeEntry, Catalog, NamedEntry, OperationTypeEntry};
pub use error::{ApiErrorBody, ErrorCode, ErrorEnvelope};
pub use inventory::{
    ExportDto, GroupDto, GroupList, PolicyDto, PolicyKinds, PolicyList, PolicyVersionDto,
    PolicyVersionList,
};
pub use me::{LoginRequest, MeResponse, SetupStatus, TenantAccessDto, UserDto, WorkspaceDto};
pub use members::{
    AcceptInvitation, CreatedInvitation, InvitationDto, InvitationList, InvitationView, MemberDto,
    MemberList, NewInvitation, RoleChange,
};
pub use notification::{NotificationDto, NotificationKind, NotificationList};
pub use overview::{
    DayOutcomes, FAILURE_DAYS, FAILURES_LISTED, NEXT_BACKUPS_LISTED, NextBackup, OVERVIEW_DAYS,
    OverviewFailure, TenantOverview,
};
pub use run::{RunDetail, RunSummary, UserRef};
pub use run_list::{ActiveRuns, RunList};
pub use start::{Initiator, StartResult, StartRunRequest, StartRunResponse, TokenStartRequest};
pub use stream::{
    ActiveRunsEvent, NotificationsEvent, Payload, RunStreamEvent, names as event_names,
};
pub use webhook::{
    DELIVERIES_LISTED, DeliveryState, NewWebhook, WebhookDeliveryDto, WebhookDto, WebhookList,
    WebhookSecretShown,
};
pub use worker::{
    ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse, DEFAULT_LEASE_SECS,
    DEFAULT_WAIT_SECS, HeartbeatRequest, HeartbeatResponse, LEASE_SECS, MAX_CLAIM, MAX_WAIT_SECS,
    ProgressRequest, ProgressResponse, WorkerRun,
};
pub use workspace::{
    ApiTokenDto, ConnectTenant, ConnectionCheck, ConnectionDto, NewTenant, OwnerDto, TenantRename,
    WorkspaceOverview, WorkspaceTenantDto,
};
