//! Each guard fails on a synthetic violation with the expected `path:line: snippet`, passes on
//! the look-alikes the contract allows, and the project itself is clean.

use std::path::Path;

use super::{Guard, scan};

/// Scans a throwaway tree holding one file at `path` with `source`; returns the report lines.
fn report(path: &str, source: &str) -> Vec<String> {
    let dir = tempfile_dir();
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, source).unwrap();
    let lines = scan(&dir)
        .unwrap()
        .into_iter()
        .map(|v| {
            format!(
                "{}:{}: {} [{}]",
                v.path,
                v.line,
                v.snippet,
                v.guard.letter()
            )
        })
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    lines
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "opsux-guards-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_project_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let violations = scan(root).unwrap();
    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "contract guard violations:\n{}",
        report.join("\n")
    );
}

#[test]
fn guard_a_catches_status_writes_outside_the_run_service() {
    let source = r#"
async fn shortcut(pool: &Pool) {
    sqlx::query("UPDATE operation_runs SET status = 'completed', outcome = 'failed' WHERE id = ?")
        .execute(pool).await;
    sqlx::query("INSERT INTO operation_runs (id, status) VALUES (?, 'queued')");
    let q = Query::update().table(Runs).set("status", "running");
}
"#;
    assert_eq!(
        report("server/src/routes/shortcut.rs", source),
        [
            "server/src/routes/shortcut.rs:3: sqlx::query(\"UPDATE operation_runs SET status = 'completed', outcome = 'failed' WHERE id = ?\") [A]",
            "server/src/routes/shortcut.rs:5: sqlx::query(\"INSERT INTO operation_runs (id, status) VALUES (?, 'queued')\"); [A]",
            "server/src/routes/shortcut.rs:6: let q = Query::update().table(Runs).set(\"status\", \"running\"); [A]",
        ]
    );
}

#[test]
fn guard_a_lets_context_only_updates_through() {
    let source = r#"
fn annotate() {
    sqlx::query("UPDATE operation_runs SET context = ?, message = ?, reason_code = ? \
                 WHERE id = ? AND status = 'running'");
    sqlx::query("SELECT status, outcome FROM operation_runs WHERE status = 'queued'");
}
"#;
    assert_eq!(
        report("server/src/flows/annotate.rs", source),
        Vec::<String>::new()
    );
}

#[test]
fn guard_b_catches_notification_writes_and_early_notifications() {
    let source = r#"
fn notify() {
    sqlx::query("INSERT INTO notifications (id, user_id) VALUES (?, ?)");
    sqlx::query("UPDATE notifications SET title = ? WHERE id = ?");
    let n = presenter::run_completed_notification(op, outcome, &counts, None, &t, id);
    send_queued_notification(user);
}
"#;
    assert_eq!(
        report("server/src/worker/notify.rs", source),
        [
            "server/src/worker/notify.rs:3: sqlx::query(\"INSERT INTO notifications (id, user_id) VALUES (?, ?)\"); [B]",
            "server/src/worker/notify.rs:4: sqlx::query(\"UPDATE notifications SET title = ? WHERE id = ?\"); [B]",
            "server/src/worker/notify.rs:5: let n = presenter::run_completed_notification(op, outcome, &counts, None, &t, id); [B]",
            "server/src/worker/notify.rs:6: send_queued_notification(user); [B]",
        ]
    );
    let mark_read =
        r#"fn f() { sqlx::query("UPDATE notifications SET read_at = ? WHERE id = ?"); }"#;
    assert_eq!(
        report("server/src/notifications.rs", mark_read),
        Vec::<String>::new()
    );
}

#[test]
fn guard_c_catches_links_and_toast_copy_outside_the_presenter() {
    let source = r#"
fn toast(run: &RunSummary) -> String {
    let url = format!("/t/{}/operations/{}", run.tenant, run.id);
    let title = format!("{} queued", run.operation.label());
    let action = "View run";
    let api = "/api/t/{tenant}/operations/{id}";
    sqlx::query("SELECT 1 FROM operation_runs WHERE status IN ('queued', 'running')");
}
"#;
    assert_eq!(
        report("app/src/toast.rs", source),
        [
            "app/src/toast.rs:3: let url = format!(\"/t/{}/operations/{}\", run.tenant, run.id); [C]",
            "app/src/toast.rs:4: let title = format!(\"{} queued\", run.operation.label()); [C]",
            "app/src/toast.rs:5: let action = \"View run\"; [C]",
        ]
    );
}

#[test]
fn guard_d_catches_badge_labels_and_tones_outside_the_catalog() {
    let source = r#"
fn badge(outcome: RunOutcome) -> (&'static str, &'static str) {
    match outcome {
        RunOutcome::Failed => ("Failed", "tone-danger"),
        _ => ("Done", "tone-neutral"),
    }
}
// "Failed" in a comment is not code.
"#;
    assert_eq!(
        report("app/src/run_row.rs", source),
        [
            "app/src/run_row.rs:4: RunOutcome::Failed => (\"Failed\", \"tone-danger\"), [D]",
            "app/src/run_row.rs:5: _ => (\"Done\", \"tone-neutral\"), [D]",
        ]
    );
}

#[test]
fn guard_e_catches_provider_calls_in_handlers() {
    let source = r#"
use crate::provider::GraphClient;
pub(super) async fn start(State(state): State<AppState>) {
    let policies = reqwest::get("https://graph.example/policies").await;
}
"#;
    assert_eq!(
        report("server/src/routes/runs.rs", source),
        [
            "server/src/routes/runs.rs:2: use crate::provider::GraphClient; [E]",
            "server/src/routes/runs.rs:4: let policies = reqwest::get(\"https://graph.example/policies\").await; [E]",
        ]
    );
    // Workers may call the provider; only handlers may not.
    assert_eq!(
        report("server/src/worker/flow.rs", source),
        Vec::<String>::new()
    );
}

#[test]
fn allowed_places_are_few_and_named() {
    assert!(Guard::A.allows("server/src/runs/store.rs"));
    assert!(!Guard::A.allows("server/src/runs/service.rs"));
    assert!(!Guard::C.allows("server/src/routes/runs.rs"));
    assert!(
        Guard::E.allows("server/src/worker/mod.rs"),
        "E only looks at handlers"
    );
}
