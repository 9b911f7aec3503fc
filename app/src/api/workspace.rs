//! The workspace, for its owners.

use opsux_core::TenantSlug;
use opsux_core::wire::{
    AuditLog, ConnectTenant, ConnectionCheck, NewTenant, TenantRename, WorkspaceOverview,
};

use super::{Api, ApiError, checked, encode_query};

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

    /// Revokes a tenant's API token by name; the workspace as it is now.
    pub async fn revoke_token(
        &self,
        slug: &TenantSlug,
        name: &str,
    ) -> Result<WorkspaceOverview, ApiError> {
        let name = js_sys::encode_uri_component(name);
        let path = format!("/api/workspace/tenants/{slug}/tokens/{name}");
        checked(self.call("DELETE", &path).send().await?).await
    }

    pub async fn rename_tenant(
        &self,
        slug: &TenantSlug,
        name: String,
    ) -> Result<WorkspaceOverview, ApiError> {
        let path = format!("/api/workspace/tenants/{slug}");
        let request = self.call("PATCH", &path).json(&TenantRename { name });
        checked(request.send().await?).await
    }

    pub async fn connect_tenant(
        &self,
        slug: &TenantSlug,
        body: &ConnectTenant,
    ) -> Result<WorkspaceOverview, ApiError> {
        let path = format!("/api/workspace/tenants/{slug}/connection");
        checked(self.call("PUT", &path).json(body).send().await?).await
    }

    pub async fn test_connection(&self, slug: &TenantSlug) -> Result<ConnectionCheck, ApiError> {
        let path = format!("/api/workspace/tenants/{slug}/connection/test");
        checked(self.call("POST", &path).send().await?).await
    }

    /// A page of the workspace's audit entries, newest first; `query` holds `limit` and
    /// `cursor`.
    pub async fn workspace_audit_log(
        &self,
        query: &[(&str, String)],
    ) -> Result<AuditLog, ApiError> {
        let query = encode_query(query);
        self.get(&format!("/api/workspace/audit-log?{query}")).await
    }
}
