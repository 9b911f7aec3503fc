//! The catalogue of operation types (SPEC §3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::Capability;

/// Every kind of long-running operation opsux tracks. The snake_case id is stable: it is stored
/// in the database, sent on the wire and part of every dedupe identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OperationType {
    InventorySync,
    EntraGroupSync,
    BackupScheduleRun,
    BackupRetention,
    BackupSetAddPolicies,
    BackupSetRemovePolicies,
    PolicyExport,
    PolicyUnignore,
    PolicyVersionRestore,
    RestoreExecute,
    RestoreRunUnarchive,
    RestoreRunForceDelete,
    OperationsPrune,
}

impl OperationType {
    pub const ALL: [Self; 13] = [
        Self::InventorySync,
        Self::EntraGroupSync,
        Self::BackupScheduleRun,
        Self::BackupRetention,
        Self::BackupSetAddPolicies,
        Self::BackupSetRemovePolicies,
        Self::PolicyExport,
        Self::PolicyUnignore,
        Self::PolicyVersionRestore,
        Self::RestoreExecute,
        Self::RestoreRunUnarchive,
        Self::RestoreRunForceDelete,
        Self::OperationsPrune,
    ];

    /// The stable id (database, wire, dedupe identity).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InventorySync => "inventory_sync",
            Self::EntraGroupSync => "entra_group_sync",
            Self::BackupScheduleRun => "backup_schedule_run",
            Self::BackupRetention => "backup_retention",
            Self::BackupSetAddPolicies => "backup_set_add_policies",
            Self::BackupSetRemovePolicies => "backup_set_remove_policies",
            Self::PolicyExport => "policy_export",
            Self::PolicyUnignore => "policy_unignore",
            Self::PolicyVersionRestore => "policy_version_restore",
            Self::RestoreExecute => "restore_execute",
            Self::RestoreRunUnarchive => "restore_run_unarchive",
            Self::RestoreRunForceDelete => "restore_run_force_delete",
            Self::OperationsPrune => "operations_prune",
        }
    }

    /// The human name, used at the start of toast and notification titles.
    pub const fn label(self) -> &'static str {
        match self {
            Self::InventorySync => "Inventory sync",
            Self::EntraGroupSync => "Entra group sync",
            Self::BackupScheduleRun => "Scheduled backup",
            Self::BackupRetention => "Backup retention",
            Self::BackupSetAddPolicies => "Adding policies to backup set",
            Self::BackupSetRemovePolicies => "Removing policies from backup set",
            Self::PolicyExport => "Policy export",
            Self::PolicyUnignore => "Policy unignore",
            Self::PolicyVersionRestore => "Policy version restore",
            Self::RestoreExecute => "Restore",
            Self::RestoreRunUnarchive => "Restore run unarchive",
            Self::RestoreRunForceDelete => "Restore run force delete",
            Self::OperationsPrune => "Operations prune",
        }
    }

    /// The capability a person needs to start this operation; `None` for system-only
    /// operations, which no person starts (the scheduler and the CLI do).
    pub const fn start_capability(self) -> Option<Capability> {
        match self {
            Self::InventorySync => Some(Capability::InventorySync),
            Self::EntraGroupSync => Some(Capability::GroupsSync),
            Self::BackupScheduleRun
            | Self::BackupRetention
            | Self::BackupSetAddPolicies
            | Self::BackupSetRemovePolicies => Some(Capability::BackupManage),
            Self::PolicyExport => Some(Capability::PolicyExport),
            Self::PolicyUnignore => Some(Capability::PolicyManage),
            Self::PolicyVersionRestore
            | Self::RestoreExecute
            | Self::RestoreRunUnarchive
            | Self::RestoreRunForceDelete => Some(Capability::RestoreExecute),
            Self::OperationsPrune => None,
        }
    }

    /// Bulk operations act on a list of picked items.
    pub const fn is_bulk(self) -> bool {
        matches!(
            self,
            Self::PolicyExport
                | Self::PolicyUnignore
                | Self::RestoreRunUnarchive
                | Self::RestoreRunForceDelete
        )
    }
}

impl fmt::Display for OperationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OperationType {
    type Err = UnknownOperationType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownOperationType(s.chars().take(80).collect()))
    }
}

/// A string that names no operation type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperationType(String);

impl fmt::Display for UnknownOperationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown operation type {:?}; known types: ", self.0)?;
        write_list(f, OperationType::ALL.iter().map(|t| t.as_str()))
    }
}

impl std::error::Error for UnknownOperationType {}

pub(crate) fn write_list<'a>(
    f: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = &'a str>,
) -> fmt::Result {
    for (i, item) in items.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(item)?;
    }
    Ok(())
}
