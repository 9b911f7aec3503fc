//! Backup schedules: when to snapshot which policies, and how many sets to keep.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
