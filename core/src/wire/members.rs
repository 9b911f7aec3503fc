//! A tenant's members, as its Members page shows them and its owners change them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::access::Role;
use crate::ids::UserId;

/// One member of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberDto {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// A disabled user keeps their membership but cannot sign in.
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<OffsetDateTime>,
}

/// `GET /api/t/{tenant}/members`: owners first, then by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberList {
    pub items: Vec<MemberDto>,
}

/// `PUT /api/t/{tenant}/members/{user_id}`: the member's new role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}
