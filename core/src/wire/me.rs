use serde::{Deserialize, Serialize};

use crate::access::{Capability, Role};
use crate::ids::{TenantSlug, UserId};

/// `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDto {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

/// One tenant the user belongs to, with what they may do there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantAccessDto {
    pub slug: TenantSlug,
    pub name: String,
    pub role: Role,
    pub capabilities: Vec<Capability>,
}

/// The workspace, as a signed-in person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceDto {
    /// Shown in the panel's header.
    pub name: String,
    /// Whether this person owns the workspace (adds tenants, sees the Workspace page).
    pub is_owner: bool,
}

/// `GET /api/me` (and the answer to a login).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub user: UserDto,
    pub tenants: Vec<TenantAccessDto>,
    /// `None` only on a database without a workspace.
    #[serde(default)]
    pub workspace: Option<WorkspaceDto>,
}

/// `GET /api/setup`, answered to anyone: whether this server has been set up, so the sign-in
/// page can say how (`opsux init`) instead of refusing every password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupStatus {
    pub initialized: bool,
    /// Whether people may sign in with the organisation's OpenID Connect provider.
    #[serde(default)]
    pub oidc: bool,
}
