//! `GET /metrics` in the OpenMetrics text format, encoded by `prometheus-client` (the
//! Prometheus project's own Rust client): what ended, not only what is open.
//!
//! Two kinds of families. What this process did lives in memory and only grows: transitions,
//! commits, runs that ended (by type, outcome and initiator) with their durations and queue
//! waits, webhook attempts. What the database holds is read at every scrape, so it is right
//! with several processes: runs by status, each schedule's last outcome and last success,
//! deliveries waiting. Each scrape registers both into a fresh registry and encodes it once.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use opsux_core::RunOutcome;
use opsux_core::wire::RunSummary;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::error::ApiError;
use crate::state::AppState;

/// Label sets: pairs, in the order they are written.
type Labels = Vec<(&'static str, String)>;

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

type Seconds = Family<Labels, Histogram, fn() -> Histogram>;

/// How long runs took, from their start to their end: a second to six hours.
fn duration_buckets() -> Histogram {
    Histogram::new([
        1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0,
    ])
}

/// How long runs waited to be started: a tenth of a second to an hour.
fn wait_buckets() -> Histogram {
    Histogram::new([0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 3600.0])
}

/// The runs this process ended.
#[derive(Debug)]
pub struct RunMetrics {
    ended: Family<Labels, Counter>,
    duration: Seconds,
    queue_wait: Seconds,
}

impl Default for RunMetrics {
    fn default() -> Self {
        Self {
            ended: Family::default(),
            duration: Family::new_with_constructor(duration_buckets),
            queue_wait: Family::new_with_constructor(wait_buckets),
        }
    }
}

impl RunMetrics {
    /// Counts a run that just ended, once: the run service calls this with the terminal
    /// transition it committed.
    pub fn record_end(&self, run: &RunSummary) {
        let op_type = run.operation.as_str().to_owned();
        let outcome = run.outcome.map_or("none", RunOutcome::as_str);
        let initiator = if run.initiator.is_some() {
            "person"
        } else {
            "system"
        };
        self.ended
            .get_or_create(&vec![
                ("type", op_type.clone()),
                ("outcome", outcome.to_owned()),
                ("initiator", initiator.to_owned()),
            ])
            .inc();
        let of_type = vec![("type", op_type)];
        if let (Some(started), Some(ended)) = (run.started_at, run.completed_at) {
            self.duration
                .get_or_create(&of_type)
                .observe((ended - started).as_seconds_f64().max(0.0));
        }
        if let Some(started) = run.started_at {
            self.queue_wait
                .get_or_create(&of_type)
                .observe((started - run.created_at).as_seconds_f64().max(0.0));
        }
    }
}

/// What this process's webhook deliverer did, by result: `delivered`, `retrying` (an attempt
/// failed and will be made again), `failed` (given up, or refused by the destination rules).
#[derive(Debug)]
pub struct DeliveryMetrics {
    results: Family<Labels, Counter>,
}

impl Default for DeliveryMetrics {
    /// Every result at 0 from the start, so `increase()` sees the first one.
    fn default() -> Self {
        let results = Family::<Labels, Counter>::default();
        for result in ["delivered", "retrying", "failed"] {
            let _ = results.get_or_create(&vec![("result", result.to_owned())]);
        }
        Self { results }
    }
}

impl DeliveryMetrics {
    pub fn count(&self, result: &'static str) {
        self.results
            .get_or_create(&vec![("result", result.to_owned())])
            .inc();
    }
}

/// `/metrics` alone (and `/healthz`), for a `worker` process, which serves no API: what it
/// ended and sent is counted there only.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(show))
        .route(
            "/healthz",
            axum::routing::get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }),
        )
        .with_state(state)
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
    let mut registry = Registry::with_prefix("opsux");
    from_database(&state, &mut registry).await?;
    of_this_process(&state, &mut registry);
    let mut out = String::new();
    encode(&mut out, &registry).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        out,
    ))
}

/// The families read from the database, the same from every process.
async fn from_database(state: &AppState, registry: &mut Registry) -> Result<(), ApiError> {
    let runs = Family::<Labels, Gauge>::default();
    for row in state.store.runs_by_type_and_status().await? {
        runs.get_or_create(&vec![("type", row.op_type), ("status", row.status)])
            .set(row.count);
    }
    registry.register("runs", "Operation runs by type and status", runs);

    let last_success = Family::<Labels, Gauge>::default();
    let last_outcome = Family::<Labels, Gauge>::default();
    let enabled = Family::<Labels, Gauge>::default();
    for schedule in state.store.schedule_health().await? {
        let of = |extra: Option<&str>| {
            let mut labels = vec![
                ("tenant", schedule.tenant.clone()),
                ("schedule", schedule.schedule.clone()),
                ("schedule_id", schedule.schedule_id.clone()),
            ];
            if let Some(outcome) = extra {
                labels.push(("outcome", outcome.to_owned()));
            }
            labels
        };
        enabled
            .get_or_create(&of(None))
            .set(i64::from(schedule.enabled));
        if let Some(at) = schedule.last_success_at {
            last_success.get_or_create(&of(None)).set(at / 1000);
        }
        // All four, 0 but the last run's: a schedule whose runs never ended has all 0.
        for outcome in RunOutcome::ALL {
            let is_last = schedule.last_outcome.as_deref() == Some(outcome.as_str());
            last_outcome
                .get_or_create(&of(Some(outcome.as_str())))
                .set(i64::from(is_last));
        }
    }
    registry.register(
        "schedule_last_success_timestamp_seconds",
        "When each backup schedule's last successful run ended (Unix seconds)",
        last_success,
    );
    registry.register(
        "schedule_last_run_outcome",
        "1 for the outcome of each backup schedule's last ended run, 0 for the others",
        last_outcome,
    );
    registry.register(
        "schedule_enabled",
        "1 for each backup schedule that fires, 0 for a disabled one",
        enabled,
    );

    let notifications = Gauge::<i64>::default();
    notifications.set(state.store.notification_count().await?);
    registry.register(
        "notifications",
        "Terminal notifications stored",
        notifications,
    );
    let pending = Gauge::<i64>::default();
    pending.set(state.store.webhook_pending_count().await?);
    registry.register(
        "webhook_pending",
        "Webhook deliveries waiting to be sent",
        pending,
    );
    Ok(())
}

/// The families of this process: what it committed, ended and sent.
fn of_this_process(state: &AppState, registry: &mut Registry) {
    let transitions = Family::<Labels, Counter>::default();
    for (kind, count) in state.runs.counters().all() {
        transitions
            .get_or_create(&vec![("kind", kind.to_owned())])
            .inc_by(count);
    }
    registry.register(
        "run_transitions",
        "Run transitions committed by this process",
        transitions,
    );
    let writer = state.runs.writer_stats();
    let commits = Counter::<u64>::default();
    commits.inc_by(writer.batches.load(Ordering::Relaxed));
    registry.register(
        "commits",
        "Transactions the run-transition writers of this process committed or attempted",
        commits,
    );
    let committed = Counter::<u64>::default();
    committed.inc_by(writer.transitions.load(Ordering::Relaxed));
    registry.register(
        "committed_transitions",
        "Run transitions in those commits (÷ commits = transitions per commit)",
        committed,
    );
    let ended = state.runs.metrics();
    registry.register(
        "runs_ended",
        "Runs this process ended, by type, outcome and initiator (person or system)",
        ended.ended.clone(),
    );
    registry.register(
        "run_duration_seconds",
        "How long the runs this process ended took, from start to end",
        ended.duration.clone(),
    );
    registry.register(
        "run_queue_wait_seconds",
        "How long the runs this process ended waited between their start request and their start",
        ended.queue_wait.clone(),
    );
    registry.register(
        "webhook_deliveries",
        "Webhook attempts this process made, by result (delivered, retrying, failed)",
        state.webhook_metrics.results.clone(),
    );
    let subscribers = Gauge::<i64>::default();
    subscribers.set(i64::try_from(state.events.subscriber_count()).unwrap_or(i64::MAX));
    registry.register(
        "sse_subscribers",
        "Open event-stream connections of this process",
        subscribers,
    );
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
