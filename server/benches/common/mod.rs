//! What the benchmarks share.

use opsux_server::store::Store;
use uuid::Uuid;

/// A fresh, migrated database on the PostgreSQL server `admin` names (a role allowed to
/// create databases).
pub(crate) async fn fresh_postgres(admin: &str) -> anyhow::Result<Store> {
    let server = Store::connect(admin).await?;
    let name = format!("opsux_bench_{}", Uuid::new_v4().simple());
    if let Store::Postgres(pool) = &server {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(pool)
            .await?;
    }
    server.close().await;
    let base = admin.split('?').next().unwrap_or(admin);
    let root = base.rsplit_once('/').map_or(base, |(root, _)| root);
    Store::open(&format!("{root}/{name}")).await
}
