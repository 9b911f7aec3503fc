// Which database errors are worth retrying: a busy or locked database is; a constraint
// violation or a missing table is not, so retry loops (the terminal write, progress, the
// lease keeper) give up on them at once instead of repeating them. Real errors from the
// backend under test.
use opsux_core::OperationType;
use opsux_server::runs::{RunError, is_transient_database_error};
use opsux_server::store::Store;
use serde_json::json;

use crate::support::{OWNER, TestApp};

#[tokio::test]
async fn constraint_and_schema_errors_are_not_transient() {
    let app = TestApp::new().await;
    app.start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let duplicate = app
        .execute_raw("INSERT INTO operation_runs SELECT * FROM operation_runs")
        .await
        .unwrap_err();
    let missing = app
        .execute_raw("SELECT * FROM no_such_table")
        .await
        .unwrap_err();
    for err in [duplicate, missing] {
        assert!(!is_transient_database_error(&err), "{err}");
        assert!(!RunError::from(err).is_transient());
    }
}

#[tokio::test]
async fn a_busy_or_locked_database_is_transient() {
    let app = TestApp::new().await;
    let err = match app.store() {
        Store::Sqlite(pool) => {
            let mut holder = pool.acquire().await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *holder)
                .await
                .unwrap();
            let mut waiter = pool.acquire().await.unwrap();
            sqlx::query("PRAGMA busy_timeout = 0")
                .execute(&mut *waiter)
                .await
                .unwrap();
            let err = sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *waiter)
                .await
                .unwrap_err();
            sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
            err
        }
        Store::Postgres(pool) => {
            let mut holder = pool.begin().await.unwrap();
            sqlx::query("LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *holder)
                .await
                .unwrap();
            let mut waiter = pool.begin().await.unwrap();
            sqlx::query("SET LOCAL lock_timeout = '20ms'")
                .execute(&mut *waiter)
                .await
                .unwrap();
            let err = sqlx::query("SELECT count(*) FROM tenants")
                .execute(&mut *waiter)
                .await
                .unwrap_err();
            holder.rollback().await.unwrap();
            err
        }
    };
    assert!(is_transient_database_error(&err), "{err}");
    assert!(RunError::from(err).is_transient());
}
