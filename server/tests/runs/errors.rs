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

// A queued run whose row no longer decodes does not stall the queue: the claim fails it with
// `internal_error` (without reading it back) and takes the next run.
#[tokio::test]
async fn a_queued_run_that_does_not_decode_is_set_aside_not_a_stall() {
    let app = TestApp::new().await;
    let bad = app
        .start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": ["p1"]}),
        )
        .await;
    let good = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let mangled = app
        .execute_raw("UPDATE operation_runs SET context = 'not json' WHERE type = 'policy_export'")
        .await
        .unwrap();
    assert_eq!(mangled, 1);
    let claimed = app.runs().claim().await.unwrap().expect("the good run");
    assert_eq!(claimed.id(), good.run.id());
    assert_eq!(
        app.runs_with_status("completed").await,
        1,
        "the bad run ended"
    );
    assert_eq!(
        app.execute_raw(
            "UPDATE operation_runs SET message = message \
             WHERE type = 'policy_export' AND status = 'completed' AND outcome = 'failed' \
               AND reason_code = 'internal_error'"
        )
        .await
        .unwrap(),
        1,
        "failed with internal_error"
    );
    assert!(
        app.runs().claim().await.unwrap().is_none(),
        "nothing else queued"
    );
    assert_eq!(app.notifications_for_run(bad.run.id()).await, 0);
}
