//! Backup schedules: when to snapshot which policies, and how many sets to keep.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::RunSummary;

/// Which policies a scheduled backup snapshots: `"all"` (every policy not ignored),
/// `{"kinds": [...]}` or `{"policy_ids": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicySelection {
    All,
    Kinds(Vec<String>),
    PolicyIds(Vec<String>),
}

/// A backup schedule as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupScheduleDto {
    pub id: String,
    pub name: String,
    /// Five fields (minute hour day-of-month month day-of-week), in UTC.
    pub cron: String,
    pub policy_selection: PolicySelection,
    /// Backup sets of this schedule kept by retention; older ones are deleted.
    pub keep_last: u32,
    pub enabled: bool,
    /// The next three times the schedule fires (UTC); empty when disabled.
    #[serde(with = "rfc3339_list")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub next_runs: Vec<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When the scheduler last skipped one of its slots, until a later one fires.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub skipped_at: Option<OffsetDateTime>,
    /// Why it skipped: the scheduled share of the tenant's active operations was full.
    pub skip_reason: Option<String>,
    /// Its latest runs (fired by the scheduler or started with *Run now*), newest first, at
    /// most ten.
    pub recent_runs: Vec<RunSummary>,
    /// When its last successful run ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_success_at: Option<OffsetDateTime>,
}

/// `GET /api/t/{tenant}/backup-schedules`: by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupScheduleList {
    pub items: Vec<BackupScheduleDto>,
}

/// `POST /api/t/{tenant}/backup-schedules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBackupSchedule {
    pub name: String,
    pub cron: String,
    pub policy_selection: PolicySelection,
    pub keep_last: u32,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// `PATCH /api/t/{tenant}/backup-schedules/{id}`: the fields to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BackupSchedulePatch {
    pub name: Option<String>,
    pub cron: Option<String>,
    pub policy_selection: Option<PolicySelection>,
    pub keep_last: Option<u32>,
    pub enabled: Option<bool>,
}

mod rfc3339_list {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub(super) fn serialize<S: Serializer>(
        times: &[OffsetDateTime],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(times.len()))?;
        for time in times {
            let text = time.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
            seq.serialize_element(&text)?;
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<OffsetDateTime>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|text| OffsetDateTime::parse(text, &Rfc3339).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// A backup set: policies' snapshots taken together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupSetDto {
    pub id: String,
    pub name: String,
    /// The schedule that made it, if one did.
    pub schedule_id: Option<String>,
    pub item_count: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `GET /api/t/{tenant}/backup-sets`: newest first, paged with `next_cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupSetList {
    pub items: Vec<BackupSetDto>,
    pub next_cursor: Option<String>,
}

/// One policy's snapshot in a backup set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupItemDto {
    pub id: String,
    pub policy_id: String,
    pub policy_name: String,
    pub provider_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub captured_at: OffsetDateTime,
}

/// `GET /api/t/{tenant}/backup-sets/{id}`: the set and its items, by policy name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupSetDetail {
    pub set: BackupSetDto,
    pub items: Vec<BackupItemDto>,
}

/// `POST /api/t/{tenant}/backup-sets`: an empty set, filled by `backup_set_add_policies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBackupSet {
    pub name: String,
}

/// A restore run: a backup set to push back to the tenant, executed by `restore_execute`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreRunDto {
    pub id: String,
    pub name: String,
    /// `None` once the set was deleted.
    pub backup_set_id: Option<String>,
    pub archived: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub executed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `GET /api/t/{tenant}/restore-runs`: newest first, paged with `next_cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreRunList {
    pub items: Vec<RestoreRunDto>,
    pub next_cursor: Option<String>,
}

/// `POST /api/t/{tenant}/restore-runs`: a restore run from one of the tenant's backup sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRestoreRun {
    pub backup_set_id: String,
    pub name: String,
}
