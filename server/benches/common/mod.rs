//! What the benchmarks share.

use opsux_server::store::Store;

/// A fresh, empty database on the PostgreSQL server `admin` names (a role allowed to create
/// databases); its URL.
pub(crate) async fn fresh_database(admin: &str) -> anyhow::Result<String> {
    let server = Store::connect(admin).await?;
    let name = server.create_scratch_database("opsux_bench").await?;
    server.close().await;
    let base = admin.split('?').next().unwrap_or(admin);
    let root = base.rsplit_once('/').map_or(base, |(root, _)| root);
    Ok(format!("{root}/{name}"))
}

/// A fresh, migrated database on the PostgreSQL server `admin` names.
pub(crate) async fn fresh_postgres(admin: &str) -> anyhow::Result<Store> {
    Store::open(&fresh_database(admin).await?).await
}
