//! The workspace, for its owners.

use gloo_net::http::Request;
use opsux_core::TenantSlug;
use opsux_core::wire::{
    AuditLog, ConnectTenant, ConnectionCheck, NewTenant, TenantRename, WorkspaceOverview,
};

use super::{Api, ApiError, checked, send};

impl Api {
    pub async fn workspace(&self) -> Result<WorkspaceOverview, ApiError> {
        self.get("/api/workspace").await
    }

    pub async fn add_tenant(
        &self,
        slug: String,
        name: String,
    ) -> Result<WorkspaceOverview, ApiError> {
        self.post_json("/api/workspace/tenants", &NewTenant { slug, name })
            .await
    }

    pub async fn rename_tenant(
        &self,
        slug: &TenantSlug,
        name: String,
    ) -> Result<WorkspaceOverview, ApiError> {
        let path = self.url(&format!("/api/workspace/tenants/{slug}"));
        let request = self
            .request(Request::patch(&path))
            .json(&TenantRename { name });
        checked(send(request).await?).await
    }

    pub async fn connect_tenant(
        &self,
        slug: &TenantSlug,
        body: &ConnectTenant,
    ) -> Result<WorkspaceOverview, ApiError> {
        let path = self.url(&format!("/api/workspace/tenants/{slug}/connection"));
        let request = self.request(Request::put(&path)).json(body);
        checked(send(request).await?).await
    }

    pub async fn test_connection(&self, slug: &TenantSlug) -> Result<ConnectionCheck, ApiError> {
        let path = format!("/api/workspace/tenants/{slug}/connection/test");
        checked(send(self.post(&path).build()).await?).await
    }

    pub async fn workspace_audit_log(&self) -> Result<AuditLog, ApiError> {
        self.get("/api/workspace/audit-log?limit=50").await
    }
}
