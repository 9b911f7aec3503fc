//! Roles and the capabilities they grant (SPEC §4). The server enforces them (R16); the browser
//! uses the same table to hide actions a person cannot take.

use serde::{Deserialize, Serialize};

/// A user's role in one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Operator,
    Reader,
}

/// Something a member may do in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Capability {
    #[serde(rename = "runs.view")]
    RunsView,
    #[serde(rename = "runs.cancel")]
    RunsCancel,
    #[serde(rename = "inventory.sync")]
    InventorySync,
    #[serde(rename = "groups.sync")]
    GroupsSync,
    #[serde(rename = "backup.manage")]
    BackupManage,
    #[serde(rename = "restore.execute")]
    RestoreExecute,
    #[serde(rename = "policy.export")]
    PolicyExport,
    #[serde(rename = "policy.manage")]
    PolicyManage,
}

impl Capability {
    pub const ALL: [Self; 8] = [
        Self::RunsView,
        Self::RunsCancel,
        Self::InventorySync,
        Self::GroupsSync,
        Self::BackupManage,
        Self::RestoreExecute,
        Self::PolicyExport,
        Self::PolicyManage,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RunsView => "runs.view",
            Self::RunsCancel => "runs.cancel",
            Self::InventorySync => "inventory.sync",
            Self::GroupsSync => "groups.sync",
            Self::BackupManage => "backup.manage",
            Self::RestoreExecute => "restore.execute",
            Self::PolicyExport => "policy.export",
            Self::PolicyManage => "policy.manage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Owner, Self::Operator, Self::Reader];

    /// The stored and wire form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Operator => "operator",
            Self::Reader => "reader",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Owners may do everything; operators run day-to-day operations but neither push
    /// changes back into a tenant (restores) nor change policy flags; readers only look.
    pub const fn grants(self, capability: Capability) -> bool {
        match self {
            Self::Owner => true,
            Self::Operator => !matches!(
                capability,
                Capability::RestoreExecute | Capability::PolicyManage
            ),
            Self::Reader => matches!(capability, Capability::RunsView),
        }
    }

    /// The capabilities this role grants, in catalogue order.
    pub fn capabilities(self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| self.grants(*c))
            .collect()
    }
}
