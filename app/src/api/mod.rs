//! The one typed client of the opsux API. Every call answers `Result<T, ApiError>`, where the
//! error carries the envelope's `code`, so pages act on 401/403/404/409 rather than on text.
//!
//! The panel talks to its own origin (`base` empty); the embedded widget to the opsux server
//! named by its host element, with the session cookie included.

mod account;
mod error;
mod http;
pub(crate) mod json;
mod members;
mod webhooks;
mod workspace;

use std::cell::RefCell;

use opsux_core::wire::{
    AuditLog, BackupScheduleDto, BackupScheduleList, BackupSchedulePatch, BackupSetDetail,
    BackupSetList, Catalog, ErrorEnvelope, ExportDto, GroupList, LoginRequest, MeResponse,
    NewBackupSchedule, NewRestoreRun, PolicyDto, PolicyKinds, PolicyList, PolicyVersionList,
    RestoreRunDto, RestoreRunList, RunDetail, RunList, RunSummary, SetupStatus, StartRunRequest,
    StartRunResponse, TenantOverview,
};
use opsux_core::{RunId, TenantSlug};
use serde::Serialize;
use serde::de::DeserializeOwned;

use http::{Call, Reply};

pub use error::ApiError;

thread_local! {
    /// What to do when a call finds the session gone (the panel returns to sign-in).
    static ON_UNAUTHENTICATED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Sets what happens when any call answers 401 (sign-in itself excepted).
pub fn on_unauthenticated(handler: impl Fn() + 'static) {
    ON_UNAUTHENTICATED.with(|h| *h.borrow_mut() = Some(Box::new(handler)));
}

fn session_ended() {
    ON_UNAUTHENTICATED.with(|h| {
        if let Some(handler) = h.borrow().as_ref() {
            handler();
        }
    });
}

/// Where the API lives: `""` for the page's own origin, else an origin such as
/// `https://ops.example.com`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Api {
    base: String,
}

impl Api {
    /// The page's own server (the panel).
    pub fn same_origin() -> Self {
        Self::default()
    }

    /// A server on another origin (the embedded widget).
    pub fn at(origin: &str) -> Self {
        Self {
            base: origin.trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn me(&self) -> Result<MeResponse, ApiError> {
        self.get("/api/me").await
    }

    pub async fn login(&self, email: String, password: String) -> Result<MeResponse, ApiError> {
        let body = LoginRequest { email, password };
        let response = self.call("POST", "/api/login").json(&body).send().await?;
        // A wrong password is the answer to this call, not an expired session.
        read(response).await
    }

    /// Whether the server has a workspace yet (answered before sign-in).
    pub async fn setup(&self) -> Result<SetupStatus, ApiError> {
        self.get("/api/setup").await
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        let response = self.call("POST", "/api/logout").send().await?;
        expect_ok(response).await
    }

    pub async fn catalog(&self) -> Result<Catalog, ApiError> {
        self.get("/api/catalog").await
    }

    pub async fn overview(&self, tenant: &TenantSlug) -> Result<TenantOverview, ApiError> {
        self.get(&format!("/api/t/{tenant}/overview")).await
    }

    pub async fn runs(
        &self,
        tenant: &TenantSlug,
        query: &[(&str, String)],
    ) -> Result<RunList, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/t/{tenant}/operations?{query}"))
            .await
    }

    pub async fn policies(
        &self,
        tenant: &TenantSlug,
        query: &[(&str, String)],
    ) -> Result<PolicyList, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/t/{tenant}/policies?{query}")).await
    }

    pub async fn policy_kinds(&self, tenant: &TenantSlug) -> Result<PolicyKinds, ApiError> {
        self.get(&format!("/api/t/{tenant}/policies/kinds")).await
    }

    pub async fn policy(&self, tenant: &TenantSlug, id: &str) -> Result<PolicyDto, ApiError> {
        let id = js_sys::encode_uri_component(id);
        self.get(&format!("/api/t/{tenant}/policies/{id}")).await
    }

    pub async fn policy_versions(
        &self,
        tenant: &TenantSlug,
        id: &str,
    ) -> Result<PolicyVersionList, ApiError> {
        let id = js_sys::encode_uri_component(id);
        self.get(&format!("/api/t/{tenant}/policies/{id}/versions"))
            .await
    }

    pub async fn groups(
        &self,
        tenant: &TenantSlug,
        query: &[(&str, String)],
    ) -> Result<GroupList, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/t/{tenant}/groups?{query}")).await
    }

    pub async fn backup_schedules(
        &self,
        tenant: &TenantSlug,
    ) -> Result<BackupScheduleList, ApiError> {
        self.get(&format!("/api/t/{tenant}/backup-schedules")).await
    }

    pub async fn create_backup_schedule(
        &self,
        tenant: &TenantSlug,
        body: &NewBackupSchedule,
    ) -> Result<BackupScheduleDto, ApiError> {
        self.post_json(&format!("/api/t/{tenant}/backup-schedules"), body)
            .await
    }

    pub async fn update_backup_schedule(
        &self,
        tenant: &TenantSlug,
        id: &str,
        patch: &BackupSchedulePatch,
    ) -> Result<BackupScheduleDto, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let path = format!("/api/t/{tenant}/backup-schedules/{id}");
        checked(self.call("PATCH", &path).json(patch).send().await?).await
    }

    pub async fn backup_sets(
        &self,
        tenant: &TenantSlug,
        query: &[(&str, String)],
    ) -> Result<BackupSetList, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/t/{tenant}/backup-sets?{query}"))
            .await
    }

    pub async fn backup_set(
        &self,
        tenant: &TenantSlug,
        id: &str,
    ) -> Result<BackupSetDetail, ApiError> {
        let id = js_sys::encode_uri_component(id);
        self.get(&format!("/api/t/{tenant}/backup-sets/{id}")).await
    }

    pub async fn restore_runs(
        &self,
        tenant: &TenantSlug,
        query: &[(&str, String)],
    ) -> Result<RestoreRunList, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/t/{tenant}/restore-runs?{query}"))
            .await
    }

    pub async fn create_restore_run(
        &self,
        tenant: &TenantSlug,
        body: &NewRestoreRun,
    ) -> Result<RestoreRunDto, ApiError> {
        self.post_json(&format!("/api/t/{tenant}/restore-runs"), body)
            .await
    }

    pub async fn archive_restore_run(
        &self,
        tenant: &TenantSlug,
        id: &str,
    ) -> Result<RestoreRunDto, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let path = format!("/api/t/{tenant}/restore-runs/{id}/archive");
        checked(self.call("POST", &path).send().await?).await
    }

    pub async fn audit_log(
        &self,
        tenant: &TenantSlug,
        query: &[(&str, String)],
    ) -> Result<AuditLog, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/t/{tenant}/audit-log?{query}"))
            .await
    }

    /// The file a finished `policy_export` run wrote.
    pub async fn export_of(&self, tenant: &TenantSlug, run: RunId) -> Result<ExportDto, ApiError> {
        self.get(&format!("/api/t/{tenant}/operations/{run}/export"))
            .await
    }

    pub async fn run(&self, tenant: &TenantSlug, id: RunId) -> Result<RunDetail, ApiError> {
        self.get(&format!("/api/t/{tenant}/operations/{id}")).await
    }

    pub async fn start(
        &self,
        tenant: &TenantSlug,
        request: &StartRunRequest,
    ) -> Result<StartRunResponse, ApiError> {
        self.post_json(&format!("/api/t/{tenant}/operations"), request)
            .await
    }

    pub async fn cancel(&self, tenant: &TenantSlug, id: RunId) -> Result<RunSummary, ApiError> {
        let path = format!("/api/t/{tenant}/operations/{id}/cancel");
        checked(self.call("POST", &path).send().await?).await
    }

    pub async fn mark_read(&self, id: uuid::Uuid) -> Result<(), ApiError> {
        let path = format!("/api/me/notifications/{id}/read");
        let response = self.call("POST", &path).send().await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    pub async fn mark_all_read(&self) -> Result<(), ApiError> {
        let response = self
            .call("POST", "/api/me/notifications/read-all")
            .send()
            .await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    /// A GET whose status says why a stream could not open (401, 404, …); `Ok` when it could.
    pub async fn probe(&self, path: &str) -> Result<(), ApiError> {
        let response = self.call("GET", path).send().await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        checked(self.call("GET", path).send().await?).await
    }

    async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiError> {
        checked(self.call("POST", path).json(body).send().await?).await
    }

    /// A request to `path` on this API's server; another origin gets the session cookie.
    fn call(&self, method: &'static str, path: &str) -> Call {
        Call::new(method, self.url(path), !self.base.is_empty())
    }
}

/// `k=v&…`, each value URI-encoded.
fn encode_query(query: &[(&str, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The body of a successful answer; a 401 ends the session first.
async fn checked<T: DeserializeOwned>(reply: Reply) -> Result<T, ApiError> {
    read(unauthenticated_ends_session(reply)).await
}

fn unauthenticated_ends_session(reply: Reply) -> Reply {
    if reply.status() == 401 {
        session_ended();
    }
    reply
}

async fn read<T: DeserializeOwned>(reply: Reply) -> Result<T, ApiError> {
    if !reply.ok() {
        return Err(error_of(&reply).await);
    }
    let body = reply.text().await?;
    json::decode(&body).map_err(|err| ApiError::unexpected(&err))
}

async fn expect_ok(reply: Reply) -> Result<(), ApiError> {
    if reply.ok() {
        Ok(())
    } else {
        Err(error_of(&reply).await)
    }
}

async fn error_of(reply: &Reply) -> ApiError {
    let envelope = reply
        .text()
        .await
        .ok()
        .and_then(|body| json::decode::<ErrorEnvelope>(&body).ok());
    match envelope {
        Some(envelope) => ApiError::from_envelope(reply.status(), envelope),
        None => ApiError::status_only(reply.status(), &reply.status_text()),
    }
}
