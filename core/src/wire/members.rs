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

/// An invitation not yet accepted or revoked (expired ones included, marked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationDto {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// Who invited; `None` for the console.
    pub invited_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub expired: bool,
}

/// `GET /api/t/{tenant}/invitations`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationList {
    pub items: Vec<InvitationDto>,
}

/// `POST /api/t/{tenant}/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
}

/// The answer to an invitation: the one time its link is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    pub invitation: InvitationDto,
    /// `/invite/{token}` on this server: give it to the person invited. It works once.
    pub path: String,
}

/// `GET /api/invitations/{token}`: what the person opening the link is invited to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub tenant_slug: String,
    pub tenant_name: String,
    pub email: String,
    pub role: Role,
    /// Whether the address has an account already (then accepting needs signing in as it).
    pub account_exists: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// `POST /api/invitations/{token}/accept`: a new account's name and password, or nothing
/// when signed in as the invited address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}
