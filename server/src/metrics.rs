//! `GET /metrics` in the Prometheus text format.
//!
//! Six families, most computed at scrape time from the database and the event hub; only the
//! transition counters live in memory. Writing the text format directly is a few lines, where a
//! metrics registry would need its gauges overwritten at every scrape.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::state::AppState;

/// Committed transitions of this process, by kind.
#[derive(Debug, Default)]
pub struct TransitionCounters {
    pub start: AtomicU64,
    pub claim: AtomicU64,
    pub progress: AtomicU64,
    pub finish: AtomicU64,
    pub cancel: AtomicU64,
    pub requeue: AtomicU64,
    pub give_up: AtomicU64,
}

impl TransitionCounters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn all(&self) -> [(&'static str, u64); 7] {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("start", get(&self.start)),
            ("claim", get(&self.claim)),
            ("progress", get(&self.progress)),
            ("finish", get(&self.finish)),
            ("cancel", get(&self.cancel)),
            ("requeue", get(&self.requeue)),
            ("give_up", get(&self.give_up)),
        ]
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(token) = &state.config.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !sent.is_some_and(|sent| same_secret(sent, token)) {
            return Err(ApiError::new(
                opsux_core::wire::ErrorCode::Unauthenticated,
                "metrics need the configured bearer token",
            ));
        }
    }
    let by_status = state.store.runs_by_type_and_status().await?;
    let notifications = state.store.notification_count().await?;

    let mut out = String::new();
    header_lines(
        &mut out,
        "opsux_runs",
        "gauge",
        "Operation runs by type and status.",
    );
    for row in &by_status {
        let _ = writeln!(
            out,
            "opsux_runs{{type=\"{}\",status=\"{}\"}} {}",
            row.op_type, row.status, row.count
        );
    }
    header_lines(
        &mut out,
        "opsux_run_transitions_total",
        "counter",
        "Run transitions committed by this process.",
    );
    for (kind, count) in state.runs.counters().all() {
        let _ = writeln!(
            out,
            "opsux_run_transitions_total{{kind=\"{kind}\"}} {count}"
        );
    }
    let writer = state.runs.writer_stats();
    header_lines(
        &mut out,
        "opsux_commits_total",
        "counter",
        "Transactions the run-transition writers of this process committed or attempted.",
    );
    let _ = writeln!(
        out,
        "opsux_commits_total {}",
        writer.batches.load(Ordering::Relaxed)
    );
    header_lines(
        &mut out,
        "opsux_committed_transitions_total",
        "counter",
        "Run transitions in those commits (÷ commits = transitions per commit).",
    );
    let _ = writeln!(
        out,
        "opsux_committed_transitions_total {}",
        writer.transitions.load(Ordering::Relaxed)
    );
    header_lines(
        &mut out,
        "opsux_notifications",
        "gauge",
        "Terminal notifications stored.",
    );
    let _ = writeln!(out, "opsux_notifications {notifications}");
    header_lines(
        &mut out,
        "opsux_sse_subscribers",
        "gauge",
        "Open event-stream connections of this process.",
    );
    let _ = writeln!(
        out,
        "opsux_sse_subscribers {}",
        state.events.subscriber_count()
    );
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    ))
}

fn header_lines(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Compares without returning early, so response time does not reveal how much of a guess
/// was right.
fn same_secret(a: &str, b: &str) -> bool {
    // Comparing digests in constant time tells an attacker neither the token's length nor
    // how much of a guess was right.
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}
