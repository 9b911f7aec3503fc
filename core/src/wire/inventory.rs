//! The tenant's inventory as the API shows it: policies, their captured versions, groups.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A device-management policy opsux has synced from the tenant's provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyDto {
    pub id: String,
    /// The provider's id of the policy (its object id in Intune), to find it there.
    pub provider_id: String,
    /// The provider's type of the policy, e.g. `windows10GeneralConfiguration`.
    pub kind: String,
    pub name: String,
    /// Ignored policies are left out of backups until unignored.
    pub ignored: bool,
    /// The provider's version counter at the last sync.
    pub provider_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub last_synced_at: OffsetDateTime,
}

/// `GET /api/t/{tenant}/policies`: by name. Pass `next_cursor` back as `cursor` for the next
/// page; it is absent on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyList {
    pub items: Vec<PolicyDto>,
    pub next_cursor: Option<String>,
}

/// `GET /api/t/{tenant}/policies/kinds`: the kinds of the tenant's policies, sorted; the
/// values the `kind` filter takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyKinds {
    pub items: Vec<String>,
}

/// What a policy looked like at one provider version, as inventory sync captured it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersionDto {
    pub id: String,
    pub provider_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub captured_at: OffsetDateTime,
    /// The policy object as the provider returned it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub snapshot: serde_json::Value,
}

/// `GET /api/t/{tenant}/policies/{id}/versions`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersionList {
    pub items: Vec<PolicyVersionDto>,
}

/// A directory group opsux has synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupDto {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub last_synced_at: OffsetDateTime,
}

/// `GET /api/t/{tenant}/groups`: by name, paged like the policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupList {
    pub items: Vec<GroupDto>,
    pub next_cursor: Option<String>,
}

/// `GET /api/t/{tenant}/operations/{id}/export`: the file a `policy_export` run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportDto {
    pub id: String,
    pub file_name: String,
    pub bytes: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Where members who may view runs download it.
    pub download_url: String,
}
