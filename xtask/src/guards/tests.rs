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
    let tokens = ("/api/v1/t/{tenant}/operations", "/v1/t/{tenant}/operations");
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

// R15
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
fn guard_f_keeps_backend_matches_inside_the_store() {
    let source = r#"
fn writers(store: &Store) -> usize {
    match store {
        Store::Sqlite(_) => 1,
        Store::Postgres(pool) => pool.size() as usize,
    }
}
"#;
    assert_eq!(
        report("server/src/runs/writer.rs", source),
        [
            "server/src/runs/writer.rs:4: Store::Sqlite(_) => 1, [F]",
            "server/src/runs/writer.rs:5: Store::Postgres(pool) => pool.size() as usize, [F]",
        ]
    );
    // The benchmarks are held to it too.
    assert_eq!(report("server/benches/lifecycle.rs", source).len(), 2);
    // Inside the store it is the store's own business.
    assert_eq!(
        report("server/src/store/mod.rs", source),
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

#[test]
fn guard_a_sees_every_transition_of_the_real_store_when_moved_elsewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let store = std::fs::read_to_string(root.join("server/src/runs/store.rs")).unwrap();
    let lines = report("server/src/routes/copied_store.rs", &store);
    let count = |g: &str| lines.iter().filter(|l| l.ends_with(g)).count();
    // insert_queued, set_aside, claiming one run, claiming a batch, requeue, hand_back,
    // complete, complete_many: every statement that sets status.
    assert_eq!(count("[A]"), 8, "{lines:#?}");
    // The terminal notifications' insert.
    assert_eq!(count("[B]"), 1, "{lines:#?}");
}

#[test]
fn guard_a_is_not_fooled_by_how_the_sql_is_written() {
    let cases = [
        "sqlx::query(concat!(\"UPDATE operation_runs\", \" SET status = ?\"));",
        "sqlx::query(\"UPDATE operation_runs \\\n     SET outcome = ? WHERE id = ?\");",
        "sqlx::query(\"update operation_runs set \\\"status\\\" = 'running'\");",
        "sqlx::query(\"UPDATE operation_runs SET (status, outcome) = (?, ?)\");",
        "sqlx::query(\"UPDATE operation_runs AS r SET status = ?\");",
        "sqlx::query(\"INSERT OR REPLACE INTO operation_runs VALUES (?, ?, ?)\");",
        "sqlx::query(\"INSERT INTO operation_runs (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET status = 'queued'\");",
        "sqlx::query(&format!(\"UPDATE operation_runs SET {column} = ?\"));",
        "sqlx::query(r##\"UPDATE operation_runs SET status = \"#done\"##);",
    ];
    for case in cases {
        let source = format!("fn f() {{\n    {case}\n}}\n");
        let lines = report("server/src/flows/sneaky.rs", &source);
        assert_eq!(lines.len(), 1, "not caught: {case}\n{lines:#?}");
        assert!(
            lines[0].starts_with("server/src/flows/sneaky.rs:2: ") && lines[0].ends_with("[A]")
        );
    }
}

#[test]
fn the_other_guards_see_through_the_usual_disguises() {
    let cases = [
        (
            "sqlx::query(\"INSERT OR IGNORE INTO notifications (id) VALUES (?)\");",
            "B",
        ),
        (
            "sqlx::query(\"UPDATE notifications SET (title, body) = (?, ?)\");",
            "B",
        ),
        (
            "let url = format!(\"/t/{}/{}\", tenant, \"operations\");",
            "C",
        ),
        ("let title = label.to_owned() + \" queued\";", "C"),
        ("let class = format!(\"tone-{tone}\");", "D"),
    ];
    for (case, guard) in cases {
        let source = format!("fn f() {{\n    {case}\n}}\n");
        let lines = report("app/src/sneaky.rs", &source);
        assert_eq!(
            lines,
            [format!("app/src/sneaky.rs:2: {case} [{guard}]")],
            "{case}"
        );
    }
    let source = "use crate::{db, provider::Graph};\nfn start() {}\n";
    assert_eq!(
        report("server/src/routes/sneaky.rs", source),
        ["server/src/routes/sneaky.rs:1: use crate::{db, provider::Graph}; [E]"]
    );
}

#[test]
fn no_file_may_speak_of_an_early_notification_not_even_the_run_service() {
    let source = "fn f() {\n    self.queued_notification(run);\n}\n";
    assert_eq!(
        report("server/src/runs/service.rs", source),
        ["server/src/runs/service.rs:2: self.queued_notification(run); [B]"]
    );
}
