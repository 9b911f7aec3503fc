//! The workspace as its owners manage it: tenants (added, renamed, connected to their
//! provider), the workspace's owners, and its own audit entries.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How a tenant reaches its provider; the client secret is stored sealed and never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionDto {
    pub directory_id: String,
    pub client_id: String,
    pub login_url: String,
    pub graph_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceTenantDto {
    pub slug: String,
    pub name: String,
    pub members: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// `None` until the tenant is connected.
    pub connection: Option<ConnectionDto>,
    /// Its API tokens that are not revoked (expired ones included), newest first; never their
    /// secrets.
    #[serde(default)]
    pub tokens: Vec<ApiTokenDto>,
}

/// One of a tenant's API tokens, as lists show it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenDto {
    pub name: String,
    /// `runs:start`, `runs:work`.
    pub scopes: Vec<String>,
    /// The operation types it is limited to; `None`: every type.
    pub types: Option<Vec<String>>,
    /// Who made it, when a person did; `None`: the command line.
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// One of the workspace's owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerDto {
    pub display_name: String,
    pub email: String,
}

/// `GET /api/workspace` (workspace owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceOverview {
    pub name: String,
    pub tenants: Vec<WorkspaceTenantDto>,
    pub owners: Vec<OwnerDto>,
}

/// `POST /api/workspace/tenants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
}

/// `PATCH /api/workspace/tenants/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TenantRename {
    pub name: String,
}

/// `PUT /api/workspace/tenants/{slug}/connection`: an Entra app registration's credentials;
/// the endpoints default to Microsoft's global cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectTenant {
    pub directory_id: String,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub login_url: Option<String>,
    #[serde(default)]
    pub graph_url: Option<String>,
}

/// The answer of *Test connection*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionCheck {
    pub ok: bool,
    /// What the provider said, sanitized.
    pub message: String,
}
