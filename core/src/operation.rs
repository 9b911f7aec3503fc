//! The catalogue of operation types (SPEC §3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::Capability;

/// Every kind of long-running operation opsux tracks: the thirteen built-in ones, and the types
/// another service registered (`opsux operation-type add`), whose runs its own workers do over
/// HTTP. The id is stable: it is stored in the database, sent on the wire (a string) and part of
/// every dedupe identity. Built-in ids are snake_case words; a registered type's id is always
/// namespaced with a dot (`acme.invoice_export`), so it can never shadow a built-in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    /// A type registered by another service; see [`ExternalKey`].
    External(ExternalKey),
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
    pub fn as_str(&self) -> &str {
        match self {
            Self::External(key) => key.as_str(),
            builtin => builtin.builtin_id().unwrap_or_default(),
        }
    }

    /// A built-in operation's id, borrowed for as long as the program runs; `None` for a
    /// registered type.
    pub const fn builtin_id(self) -> Option<&'static str> {
        Some(match self {
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
            Self::External(_) => return None,
        })
    }

    /// A built-in operation's human name, used at the start of toast and notification titles.
    /// `None` for a registered type: its name is registered with it and travels with each of
    /// its runs ([`crate::wire::RunSummary::label`]).
    pub const fn label(self) -> Option<&'static str> {
        Some(match self {
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
            Self::External(_) => return None,
        })
    }

    /// Whether this is a type registered by another service, done by its own workers.
    pub const fn is_external(self) -> bool {
        matches!(self, Self::External(_))
    }

    /// The capability a person needs to start this built-in operation; `None` for system-only
    /// operations, which no person starts (the scheduler and the CLI do), and for a registered
    /// type, whose capability is registered with it.
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
            Self::OperationsPrune | Self::External(_) => None,
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

    /// A built-in id, or any well-formed namespaced key (whether such a type is registered is
    /// the server's to say).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(builtin) = Self::ALL.into_iter().find(|t| t.as_str() == s) {
            return Ok(builtin);
        }
        if s.contains('.') {
            return ExternalKey::parse(s)
                .map(Self::External)
                .map_err(|err| UnknownOperationType(err.to_string()));
        }
        Err(UnknownOperationType(format!(
            "unknown operation type {:?}; known types: {}, or a registered type's \
             namespaced key such as acme.invoice_export",
            s.chars().take(80).collect::<String>(),
            KnownTypes
        )))
    }
}

/// The built-in ids, comma-separated.
struct KnownTypes;

impl fmt::Display for KnownTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, OperationType::ALL.iter().map(|t| t.as_str()))
    }
}

impl Serialize for OperationType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OperationType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        id.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for OperationType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A built-in operation's id (see `GET /api/catalog`) or a registered type's \
                 namespaced key (`acme.invoice_export`).",
            ))
            .examples([serde_json::json!("inventory_sync")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for OperationType {}

/// A string that names no operation type; the message says what would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperationType(String);

impl fmt::Display for UnknownOperationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a type registered by another service: one or more dot-separated segments of
/// lowercase ASCII letters, digits and `_`, each starting with a letter, at least one dot
/// (`acme.invoice_export`), at most [`ExternalKey::MAX_LEN`] bytes. Held inline, so an
/// [`OperationType`] stays `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalKey {
    /// Zero-padded after `len` bytes; first, so the derived order is the id's order.
    bytes: [u8; ExternalKey::MAX_LEN],
    len: u8,
}

impl ExternalKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(key: &str) -> Result<Self, InvalidExternalKey> {
        let invalid = |why: &'static str| InvalidExternalKey {
            key: key.chars().take(80).collect(),
            why,
        };
        if key.len() > Self::MAX_LEN {
            return Err(invalid("is longer than 64 characters"));
        }
        if !key.contains('.') {
            return Err(invalid(
                "has no namespace: write it as NAMESPACE.NAME, like acme.invoice_export",
            ));
        }
        for segment in key.split('.') {
            let mut chars = segment.chars();
            if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
                return Err(invalid(
                    "has a part that does not start with a lowercase letter (a-z)",
                ));
            }
            if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return Err(invalid(
                    "may only hold lowercase letters, digits, `_` and the dots between its parts",
                ));
            }
        }
        let mut bytes = [0; Self::MAX_LEN];
        bytes[..key.len()].copy_from_slice(key.as_bytes());
        Ok(Self {
            bytes,
            len: u8::try_from(key.len()).map_err(|_| invalid("is too long"))?,
        })
    }

    pub fn as_str(&self) -> &str {
        // Only `parse` builds a key, from a `&str` of ASCII characters.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Debug for ExternalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ExternalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a registered type's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidExternalKey {
    key: String,
    why: &'static str,
}

impl fmt::Display for InvalidExternalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "operation type {:?} {}", self.key, self.why)
    }
}

impl std::error::Error for InvalidExternalKey {}

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
