//! Which of a list of ids name a tenant's records: the start of an operation refuses ids that
//! are not the tenant's before any run exists (one query per list, however long).

use uuid::Uuid;

use super::{Store, on_pool};

/// A kind of record an operation's parameters name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    Policies,
    PolicyVersions,
    Schedules,
    BackupSets,
    RestoreRuns,
    /// Restore runs that are not archived (the ones that may be executed).
    LiveRestoreRuns,
}

impl Owned {
    /// The query of the tenant's ids among `$2…`, without its list of placeholders.
    fn select(self) -> &'static str {
        match self {
            Self::Policies => "SELECT id FROM policies WHERE tenant_id = $1 AND id IN (",
            Self::PolicyVersions => {
                "SELECT v.id FROM policy_versions v JOIN policies p ON p.id = v.policy_id \
                 WHERE p.tenant_id = $1 AND v.id IN ("
            }
            Self::Schedules => "SELECT id FROM backup_schedules WHERE tenant_id = $1 AND id IN (",
            Self::BackupSets => "SELECT id FROM backup_sets WHERE tenant_id = $1 AND id IN (",
            Self::RestoreRuns => "SELECT id FROM restore_runs WHERE tenant_id = $1 AND id IN (",
            Self::LiveRestoreRuns => {
                "SELECT id FROM restore_runs WHERE tenant_id = $1 AND archived = FALSE AND id IN ("
            }
        }
    }

    /// What one record is called in a message.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Policies => "policy",
            Self::PolicyVersions => "policy version",
            Self::Schedules => "backup schedule",
            Self::BackupSets => "backup set",
            Self::RestoreRuns => "restore run",
            Self::LiveRestoreRuns => "unarchived restore run",
        }
    }
}

impl Store {
    /// The ids of `ids` that are not the tenant's records of `kind`, in the order given.
    pub async fn not_owned(
        &self,
        tenant_id: Uuid,
        kind: Owned,
        ids: &[String],
    ) -> Result<Vec<String>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (2..ids.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!("{}{})", kind.select(), placeholders.join(", "));
        let found: std::collections::HashSet<String> = on_pool!(self, pool => {
            // Only placeholders are spliced in; the ids are bound.
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant_id.to_string());
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?
        .into_iter()
        .collect();
        Ok(ids
            .iter()
            .filter(|id| !found.contains(id.as_str()))
            .cloned()
            .collect())
    }
}
