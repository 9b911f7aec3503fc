//! The parameters of each operation type: the wire contract of a start request's `params`,
//! checked before any run exists. A missing, unknown or ill-typed field is a [`ParamsError`]
//! naming it (the API answers 422 with it); a valid set of parameters has one canonical form —
//! id lists sorted and without repeats — from which the dedupe identity is computed, so a
//! stray key or a reordered list cannot defeat R4.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::{ExternalKey, OperationType};

/// Ids a bulk operation takes at most.
pub const MAX_BULK_IDS: usize = 1000;
/// The longest retention window `operations_prune` accepts, in days.
pub const MAX_PRUNE_DAYS: u64 = 3650;

/// Valid parameters of one operation, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationParams {
    InventorySync,
    EntraGroupSync,
    BackupScheduleRun {
        schedule_id: String,
    },
    BackupRetention {
        schedule_id: String,
    },
    BackupSetAddPolicies {
        backup_set_id: String,
        policy_ids: Vec<String>,
    },
    BackupSetRemovePolicies {
        backup_set_id: String,
        policy_ids: Vec<String>,
    },
    PolicyExport {
        policy_ids: Vec<String>,
    },
    PolicyUnignore {
        policy_ids: Vec<String>,
    },
    PolicyVersionRestore {
        policy_version_id: String,
    },
    RestoreExecute {
        restore_run_id: String,
    },
    RestoreRunUnarchive {
        restore_run_ids: Vec<String>,
    },
    RestoreRunForceDelete {
        restore_run_ids: Vec<String>,
    },
    OperationsPrune {
        older_than_days: u64,
    },
    /// A registered type's parameters: any JSON object, already checked by the server against
    /// the schema the type was registered with. `serde_json::Map` keeps its keys sorted, so
    /// the object is its own canonical form.
    External {
        key: ExternalKey,
        params: Map<String, Value>,
    },
}

/// Why parameters were refused: the field (`params.policy_ids`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ParamsError {}

/// Reads one object's fields, refusing what it does not know.
struct Fields<'a> {
    map: &'a Map<String, Value>,
}

fn error(field: &str, message: impl Into<String>) -> ParamsError {
    ParamsError {
        field: format!("params.{field}"),
        message: message.into(),
    }
}

/// An id as the API hands them out: 1–64 letters, digits, `-` or `_`.
fn valid_id(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl<'a> Fields<'a> {
    fn only(map: &'a Map<String, Value>, known: &[&str]) -> Result<Self, ParamsError> {
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            let expected = if known.is_empty() {
                "this operation takes no parameters".to_owned()
            } else {
                format!("this operation takes {}", known.join(", "))
            };
            return Err(error(unknown, format!("unknown parameter; {expected}")));
        }
        Ok(Self { map })
    }

    fn id(&self, field: &str) -> Result<String, ParamsError> {
        match self.map.get(field) {
            None => Err(error(field, "missing")),
            Some(Value::String(id)) if valid_id(id) => Ok(id.clone()),
            Some(_) => Err(error(
                field,
                "must be an id (a string of 1 to 64 letters, digits, - or _)",
            )),
        }
    }

    fn ids(&self, field: &str) -> Result<Vec<String>, ParamsError> {
        let Some(value) = self.map.get(field) else {
            return Err(error(field, "missing"));
        };
        let Value::Array(items) = value else {
            return Err(error(field, "must be a list of ids"));
        };
        let mut ids = BTreeSet::new();
        for (index, item) in items.iter().enumerate() {
            match item {
                Value::String(id) if valid_id(id) => {
                    ids.insert(id.clone());
                }
                _ => return Err(error(&format!("{field}[{index}]"), "must be an id")),
            }
        }
        if ids.is_empty() || ids.len() > MAX_BULK_IDS {
            return Err(error(field, format!("must hold 1 to {MAX_BULK_IDS} ids")));
        }
        Ok(ids.into_iter().collect())
    }

    fn days(&self, field: &str) -> Result<u64, ParamsError> {
        match self.map.get(field).map(Value::as_u64) {
            None => Err(error(field, "missing")),
            Some(Some(days)) if (1..=MAX_PRUNE_DAYS).contains(&days) => Ok(days),
            Some(_) => Err(error(
                field,
                format!("must be a whole number of days from 1 to {MAX_PRUNE_DAYS}"),
            )),
        }
    }
}

impl OperationParams {
    /// Checks `params` as the parameters of `operation`.
    pub fn parse(
        operation: OperationType,
        params: &Map<String, Value>,
    ) -> Result<Self, ParamsError> {
        use OperationType as Op;
        let fields = |known: &[&str]| Fields::only(params, known);
        Ok(match operation {
            Op::InventorySync => {
                fields(&[])?;
                Self::InventorySync
            }
            Op::EntraGroupSync => {
                fields(&[])?;
                Self::EntraGroupSync
            }
            Op::BackupScheduleRun => Self::BackupScheduleRun {
                schedule_id: fields(&["schedule_id"])?.id("schedule_id")?,
            },
            Op::BackupRetention => Self::BackupRetention {
                schedule_id: fields(&["schedule_id"])?.id("schedule_id")?,
            },
            Op::BackupSetAddPolicies => {
                let f = fields(&["backup_set_id", "policy_ids"])?;
                Self::BackupSetAddPolicies {
                    backup_set_id: f.id("backup_set_id")?,
                    policy_ids: f.ids("policy_ids")?,
                }
            }
            Op::BackupSetRemovePolicies => {
                let f = fields(&["backup_set_id", "policy_ids"])?;
                Self::BackupSetRemovePolicies {
                    backup_set_id: f.id("backup_set_id")?,
                    policy_ids: f.ids("policy_ids")?,
                }
            }
            Op::PolicyExport => Self::PolicyExport {
                policy_ids: fields(&["policy_ids"])?.ids("policy_ids")?,
            },
            Op::PolicyUnignore => Self::PolicyUnignore {
                policy_ids: fields(&["policy_ids"])?.ids("policy_ids")?,
            },
            Op::PolicyVersionRestore => Self::PolicyVersionRestore {
                policy_version_id: fields(&["policy_version_id"])?.id("policy_version_id")?,
            },
            Op::RestoreExecute => Self::RestoreExecute {
                restore_run_id: fields(&["restore_run_id"])?.id("restore_run_id")?,
            },
            Op::RestoreRunUnarchive => Self::RestoreRunUnarchive {
                restore_run_ids: fields(&["restore_run_ids"])?.ids("restore_run_ids")?,
            },
            Op::RestoreRunForceDelete => Self::RestoreRunForceDelete {
                restore_run_ids: fields(&["restore_run_ids"])?.ids("restore_run_ids")?,
            },
            Op::OperationsPrune => Self::OperationsPrune {
                older_than_days: fields(&["older_than_days"])?.days("older_than_days")?,
            },
            // Checked by the server against the schema the type was registered with.
            Op::External(key) => {
                return Err(ParamsError {
                    field: "type".to_owned(),
                    message: format!(
                        "{key} is a registered type: its parameters are checked against its \
                         registered schema, not as a built-in operation's"
                    ),
                });
            }
        })
    }

    /// The operation these are the parameters of.
    pub fn operation(&self) -> OperationType {
        use OperationType as Op;
        match self {
            Self::InventorySync => Op::InventorySync,
            Self::EntraGroupSync => Op::EntraGroupSync,
            Self::BackupScheduleRun { .. } => Op::BackupScheduleRun,
            Self::BackupRetention { .. } => Op::BackupRetention,
            Self::BackupSetAddPolicies { .. } => Op::BackupSetAddPolicies,
            Self::BackupSetRemovePolicies { .. } => Op::BackupSetRemovePolicies,
            Self::PolicyExport { .. } => Op::PolicyExport,
            Self::PolicyUnignore { .. } => Op::PolicyUnignore,
            Self::PolicyVersionRestore { .. } => Op::PolicyVersionRestore,
            Self::RestoreExecute { .. } => Op::RestoreExecute,
            Self::RestoreRunUnarchive { .. } => Op::RestoreRunUnarchive,
            Self::RestoreRunForceDelete { .. } => Op::RestoreRunForceDelete,
            Self::OperationsPrune { .. } => Op::OperationsPrune,
            Self::External { key, .. } => Op::External(*key),
        }
    }

    /// The parameters in their one canonical form (ids sorted, no repeats): what is stored with
    /// the run and what its identity is computed from.
    pub fn canonical(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let mut put = |key: &str, value: Value| {
            map.insert(key.to_owned(), value);
        };
        let list = |ids: &[String]| Value::from(ids.to_vec());
        match self {
            Self::InventorySync | Self::EntraGroupSync => {}
            Self::BackupScheduleRun { schedule_id } | Self::BackupRetention { schedule_id } => {
                put("schedule_id", Value::from(schedule_id.as_str()));
            }
            Self::BackupSetAddPolicies {
                backup_set_id,
                policy_ids,
            }
            | Self::BackupSetRemovePolicies {
                backup_set_id,
                policy_ids,
            } => {
                put("backup_set_id", Value::from(backup_set_id.as_str()));
                put("policy_ids", list(policy_ids));
            }
            Self::PolicyExport { policy_ids } | Self::PolicyUnignore { policy_ids } => {
                put("policy_ids", list(policy_ids));
            }
            Self::PolicyVersionRestore { policy_version_id } => {
                put("policy_version_id", Value::from(policy_version_id.as_str()));
            }
            Self::RestoreExecute { restore_run_id } => {
                put("restore_run_id", Value::from(restore_run_id.as_str()));
            }
            Self::RestoreRunUnarchive { restore_run_ids }
            | Self::RestoreRunForceDelete { restore_run_ids } => {
                put("restore_run_ids", list(restore_run_ids));
            }
            Self::OperationsPrune { older_than_days } => {
                put("older_than_days", Value::from(*older_than_days));
            }
            Self::External { params, .. } => return params.clone(),
        }
        map
    }
}
