// What a log shipper reads: `--log-format json` writes one JSON object per line, with the
// timestamp, level, target, message and fields as stable ids; every run's end is one line with
// its run, tenant, type, outcome and reason codes. A text log written to a file carries no
// terminal escape codes.

use std::time::Duration;

use serde_json::{Value, json};

use crate::opsux::{Opsux, Session};
use crate::support::fresh_database;

/// The log's lines once one of them satisfies `found` (a minute at most).
async fn lines_once(log: &std::path::Path, found: impl Fn(&str) -> bool) -> Vec<String> {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.lines().any(&found) {
                return text.lines().map(str::to_owned).collect();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the line is logged within a minute")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_and_text_logs_in_a_file_have_no_escape_codes() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let server = Opsux::serve(&database, &["--log-format", "json"]);
    server.ready().await;
    let owner = Session::sign_in(&server.base, "owner@demo.test").await;
    let (_, started) = owner
        .start(&json!({"type": "inventory_sync", "params": {}}))
        .await
        .unwrap();
    let id = started["run"]["id"].as_str().unwrap().to_owned();
    let run = owner
        .run_at_status(&format!("/api/t/contoso/operations/{id}"), "completed")
        .await;

    let lines = lines_once(&server.log, |l| l.contains("run ended") && l.contains(&id)).await;
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for line in &parsed {
        for field in ["timestamp", "level", "target", "message"] {
            assert!(line[field].is_string(), "{field} in {line}");
        }
    }
    let ends: Vec<&Value> = parsed
        .iter()
        .filter(|l| l["message"] == "run ended" && l["run"] == id.as_str())
        .collect();
    assert_eq!(ends.len(), 1, "one line per end: {ends:?}");
    let end = ends[0];
    assert_eq!(end["level"], "INFO");
    assert_eq!(end["tenant"], "contoso");
    assert_eq!(end["type"], "inventory_sync");
    assert_eq!(
        end["outcome"], run["outcome"],
        "its stable id, not Rust's debug text"
    );
    assert_eq!(end["initiator"], "person");
    drop(server);

    // Text, into a file (as under a service manager): no colours.
    let text = Opsux::serve(&database, &[]);
    text.ready().await;
    let lines = lines_once(&text.log, |l| l.contains("opsux listening")).await;
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')), "{lines:#?}");
    assert!(
        serde_json::from_str::<Value>(&lines[0]).is_err(),
        "text, not JSON"
    );
}
