//! Policy exports: the file a `policy_export` run wrote, one per run.

use opsux_core::RunId;
use uuid::Uuid;

use super::{Store, on_pool};

/// An export file as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Export {
    pub id: String,
    pub run_id: String,
    pub file_name: String,
    /// The file, relative to the exports folder (older rows: an absolute path).
    pub path: String,
    pub bytes: i64,
    pub created_at: i64,
}

impl Store {
    /// Records the export file of `run_id` (a rerun after a rescue replaces the record).
    pub async fn record_export(
        &self,
        tenant_id: Uuid,
        run_id: RunId,
        file_name: &str,
        path: &str,
        bytes: i64,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        const SQL: &str = "INSERT INTO exports (id, tenant_id, run_id, file_name, path, bytes, created_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7) \
                           ON CONFLICT (run_id) DO UPDATE SET file_name = excluded.file_name, \
                               path = excluded.path, bytes = excluded.bytes, \
                               created_at = excluded.created_at \
                           RETURNING id";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(Uuid::now_v7().to_string())
                .bind(tenant_id.to_string())
                .bind(run_id.to_string())
                .bind(file_name)
                .bind(path)
                .bind(bytes)
                .bind(now_ms)
                .fetch_one(pool)
                .await
        })
    }

    /// Every export file a record refers to, by file name (any tenant): what a sweep of
    /// the exports folder keeps.
    pub async fn export_file_names(
        &self,
    ) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        const SQL: &str = "SELECT path FROM exports";
        let paths: Vec<String> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)?;
        Ok(paths
            .iter()
            .filter_map(|p| std::path::Path::new(p).file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect())
    }

    /// The tenant's export `id`.
    pub async fn export(&self, tenant_id: Uuid, id: &str) -> Result<Option<Export>, sqlx::Error> {
        const SQL: &str = "SELECT id, run_id, file_name, path, bytes, created_at FROM exports \
                           WHERE tenant_id = $1 AND id = $2";
        on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })
    }

    /// The export a run wrote, if it wrote one.
    pub async fn export_of_run(
        &self,
        tenant_id: Uuid,
        run_id: RunId,
    ) -> Result<Option<Export>, sqlx::Error> {
        const SQL: &str = "SELECT id, run_id, file_name, path, bytes, created_at FROM exports \
                           WHERE tenant_id = $1 AND run_id = $2";
        on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(run_id.to_string())
                .fetch_optional(pool)
                .await
        })
    }
}
