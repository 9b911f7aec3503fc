//! The deliverer: sends what the outbox holds. It runs in every `serve` and `worker` process;
//! each claims due deliveries endpoint by endpoint (a lock with an expiry, taken with
//! `SKIP LOCKED` on PostgreSQL), so several processes never send one delivery at once and a
//! process that dies lets its claims go. Any 2xx ends a delivery; anything else is tried again
//! after 5 s, 1 min, 5 min, 30 min, 2 h, 6 h and 12 h, then it has failed. A slow or failing
//! endpoint holds at most [`PER_ENDPOINT`] of the deliverer's slots, so it never delays the
//! others, and runs never wait on any of this.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::destination::{self, PublicOnly};
use super::event;
use super::signature::WebhookSecret;
use crate::clock::{SharedClock, from_ms, to_ms};
use crate::metrics::DeliveryMetrics;
use crate::secrets::{SealedField, SecretsKey};
use crate::store::Store;
use crate::store::webhooks::{AttemptResult, DueDelivery};
use opsux_core::RunId;

/// How long after a failed attempt the next one is made; after the last, the delivery failed.
pub const BACKOFF: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(12 * 3600),
];
/// How long after a rotation deliveries are signed with the old secret too.
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);
/// An endpoint whose every attempt failed for this long is paused until someone resumes it.
pub const PAUSE_AFTER: Duration = Duration::from_secs(24 * 3600);
/// How long one attempt may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer's body read; the rest is never looked at.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// Deliveries in flight at once in one process, and to one endpoint.
pub const CONCURRENCY: usize = 16;
pub const PER_ENDPOINT: usize = 4;
/// A claim outlives any attempt: a deliverer that dies holding one lets it go after this.
const CLAIM: Duration = Duration::from_secs(60);
/// How often an idle deliverer looks for due deliveries (other processes' runs end too).
const POLL: Duration = Duration::from_secs(1);

/// Settings of the process's deliverer.
#[derive(Debug, Clone, Default)]
pub struct DelivererConfig {
    /// `--webhook-allow-private`: send to loopback and private addresses, over http too.
    pub allow_private: bool,
    /// Makes the run links absolute.
    pub public_origin: Option<String>,
}

/// Sends due deliveries until stopped.
#[derive(Clone)]
pub struct Deliverer {
    store: Store,
    secrets: Arc<SecretsKey>,
    clock: SharedClock,
    client: reqwest::Client,
    config: Arc<DelivererConfig>,
    metrics: Arc<DeliveryMetrics>,
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Deliverer {
    pub fn new(
        store: Store,
        secrets: Arc<SecretsKey>,
        clock: SharedClock,
        config: DelivererConfig,
        metrics: Arc<DeliveryMetrics>,
    ) -> anyhow::Result<Self> {
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // A proxy from the environment would connect for us, past the address checks.
            .no_proxy()
            .user_agent(concat!("opsux-webhooks/", env!("CARGO_PKG_VERSION")));
        let builder = if config.allow_private {
            builder
        } else {
            builder.https_only(true).dns_resolver(Arc::new(PublicOnly))
        };
        Ok(Self {
            store,
            secrets,
            clock,
            client: builder.build()?,
            config: Arc::new(config),
            metrics,
            in_flight: Arc::default(),
        })
    }

    /// Claims and sends due deliveries until `shutdown` resolves; then lets the attempts in
    /// flight end (each within [`TIMEOUT`]).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let slots = Arc::new(Semaphore::new(CONCURRENCY));
        let mut sending = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            if let Err(err) = self.claim_and_send(&slots, &mut sending).await {
                tracing::warn!(error = %err, "claiming webhook deliveries failed");
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(POLL) => {}
                Some(_) = sending.join_next(), if !sending.is_empty() => {}
            }
        }
        while sending.join_next().await.is_some() {}
    }

    async fn claim_and_send(
        &self,
        slots: &Arc<Semaphore>,
        sending: &mut JoinSet<()>,
    ) -> Result<(), sqlx::Error> {
        let now_ms = to_ms(self.clock.now());
        let free = slots.available_permits();
        if free == 0 {
            return Ok(());
        }
        let busy: Vec<String> = {
            let in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            in_flight
                .iter()
                .filter(|(_, n)| **n >= PER_ENDPOINT)
                .map(|(endpoint, _)| endpoint.clone())
                .collect()
        };
        let endpoints = self.store.endpoints_due(now_ms, free as i64, &busy).await?;
        for endpoint in endpoints {
            let busy = self.busy(&endpoint);
            let room = PER_ENDPOINT
                .saturating_sub(busy)
                .min(slots.available_permits());
            if room == 0 {
                continue;
            }
            let token = Uuid::new_v4().simple().to_string();
            let claimed = self
                .store
                .claim_deliveries(
                    &endpoint,
                    now_ms,
                    now_ms + to_ms_len(CLAIM),
                    room as i64,
                    &token,
                )
                .await?;
            for due in claimed {
                let Ok(permit) = Arc::clone(slots).try_acquire_owned() else {
                    // Cannot happen (only this loop takes permits); the claim runs out.
                    break;
                };
                let in_flight = InFlight::start(&self.in_flight, &due.endpoint_id);
                let deliverer = self.clone();
                let token = token.clone();
                sending.spawn(async move {
                    deliverer.attempt(due, &token).await;
                    // Also when the attempt panics: the endpoint's count and the slot come back.
                    drop(in_flight);
                    drop(permit);
                });
            }
        }
        Ok(())
    }

    fn busy(&self, endpoint: &str) -> usize {
        let in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        in_flight.get(endpoint).copied().unwrap_or(0)
    }

    /// Makes one attempt at `due`, claimed under `token`, and records what became of it.
    async fn attempt(&self, due: DueDelivery, token: &str) {
        let outcome = self.send(&due).await;
        let now_ms = to_ms(self.clock.now());
        let result = match &outcome {
            Sent::Answered(status) if (200..300).contains(status) => {
                AttemptResult::Delivered { status: *status }
            }
            Sent::Answered(status) => self.failed(&due, Some(*status), None, now_ms),
            Sent::NoAnswer(error) => self.failed(&due, None, Some(error), now_ms),
            Sent::Refused(error) => AttemptResult::Failed {
                status: None,
                error: Some(error),
                retry_at: None,
            },
        };
        self.metrics.count(match &result {
            AttemptResult::Delivered { .. } => "delivered",
            AttemptResult::Failed { retry_at: None, .. } => "failed",
            AttemptResult::Failed { .. } => "retrying",
        });
        if let AttemptResult::Failed {
            status,
            error,
            retry_at,
        } = &result
        {
            tracing::info!(
                delivery = %due.id,
                endpoint = %due.endpoint_name,
                tenant = %due.tenant_slug,
                status = ?status,
                error = error.unwrap_or(""),
                retrying = retry_at.is_some(),
                "webhook attempt failed"
            );
        }
        let pause_after = to_ms_len(PAUSE_AFTER);
        if let Err(err) = self
            .store
            .record_attempt(&due.id, token, &result, now_ms, pause_after)
            .await
        {
            // The claim runs out and the delivery is tried again: at least once, never lost.
            tracing::warn!(delivery = %due.id, error = %err, "recording a webhook attempt failed");
        }
    }

    fn failed<'a>(
        &self,
        due: &DueDelivery,
        status: Option<u16>,
        error: Option<&'a str>,
        now_ms: i64,
    ) -> AttemptResult<'a> {
        let retry_at = usize::try_from(due.attempts)
            .ok()
            .and_then(|made| BACKOFF.get(made))
            .map(|wait| now_ms + to_ms_len(*wait));
        AttemptResult::Failed {
            status,
            error,
            retry_at,
        }
    }

    /// Signs and posts the delivery's event.
    async fn send(&self, due: &DueDelivery) -> Sent {
        if let Some(why) = destination::refusal(&due.url, self.config.allow_private) {
            return Sent::Refused(format!("{}: {why}", destination::NOT_ALLOWED));
        }
        let body = match self.body(due).await {
            Ok(body) => body,
            Err(Unsendable::Never(why)) => return Sent::Refused(why),
            // Nothing was sent: tried again like an attempt that got no answer.
            Err(Unsendable::NotNow(why)) => return Sent::NoAnswer(why),
        };
        let secret = match self.secret(due) {
            Ok(secret) => secret,
            Err(why) => return Sent::Refused(why),
        };
        let webhook_id = format!("msg_{}", due.id);
        let now = self.clock.now();
        let timestamp = now.unix_timestamp();
        let mut signature = secret.sign(&webhook_id, timestamp, body.as_bytes());
        // Just rotated: signed with the old secret too, so a receiver that still has it
        // accepts the delivery while it switches.
        if let Some(previous) = self.previous_secret(due, to_ms(now)) {
            signature.push(' ');
            signature.push_str(&previous.sign(&webhook_id, timestamp, body.as_bytes()));
        }
        let request = self
            .client
            .post(&due.url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("webhook-id", webhook_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body);
        match request.send().await {
            Ok(mut answer) => {
                let status = answer.status().as_u16();
                // Read a little of the answer so the connection can be reused, never more.
                let mut read = 0;
                while read < MAX_ANSWER_BYTES {
                    match tokio::time::timeout(TIMEOUT, answer.chunk()).await {
                        Ok(Ok(Some(chunk))) => read += chunk.len(),
                        _ => break,
                    }
                }
                Sent::Answered(status)
            }
            Err(err) if destination::is_not_public(&err) => Sent::Refused(format!(
                "{}: {} resolves only to addresses that are not public",
                destination::NOT_ALLOWED,
                err.url().and_then(|u| u.host_str()).unwrap_or("the host")
            )),
            Err(err) if err.is_timeout() => {
                Sent::NoAnswer(format!("timeout: no answer within {} s", TIMEOUT.as_secs()))
            }
            Err(err) => Sent::NoAnswer(describe(&err)),
        }
    }

    /// The delivery's event, as sent.
    async fn body(&self, due: &DueDelivery) -> Result<String, Unsendable> {
        let never = Unsendable::Never;
        let json = match (due.event.as_str(), &due.run_id) {
            ("run.ended", Some(run_id)) => {
                let run_id: RunId = run_id
                    .parse()
                    .map_err(|_| never(format!("unreadable run id {run_id:?}")))?;
                let tenant_id: Uuid = due
                    .tenant_id
                    .parse()
                    .map_err(|_| never("unreadable tenant id".to_owned()))?;
                let run = crate::runs::queries::get(&self.store, tenant_id, run_id)
                    .await
                    .map_err(|err| {
                        // The database's words stay in the log: readers see the delivery.
                        tracing::warn!(delivery = %due.id, error = %err, "reading a webhook's run failed");
                        Unsendable::NotNow("the run could not be read; tried again".to_owned())
                    })?
                    .ok_or_else(|| never("run_gone: the run was pruned".to_owned()))?;
                let event = event::run_ended(
                    &run,
                    due.initiator_email.clone(),
                    self.config.public_origin.as_deref(),
                )
                .ok_or_else(|| never("the run has not ended".to_owned()))?;
                serde_json::to_string(&event)
            }
            ("webhook.test", _) => serde_json::to_string(&event::test(
                &due.tenant_slug,
                &due.endpoint_name,
                from_ms(due.created_at),
            )),
            (other, _) => return Err(never(format!("unknown event {other:?}"))),
        };
        json.map_err(|err| never(err.to_string()))
    }

    fn secret(&self, due: &DueDelivery) -> Result<WebhookSecret, String> {
        self.open(due, &due.secret).ok_or_else(|| {
            "secret_unreadable: the endpoint's secret was sealed with another secrets key; \
             rotate it (`opsux webhook rotate-secret`)"
                .to_owned()
        })
    }

    /// The secret the endpoint had before its last rotation, while that was less than
    /// [`ROTATION_OVERLAP`] ago.
    fn previous_secret(&self, due: &DueDelivery, now_ms: i64) -> Option<WebhookSecret> {
        let rotated_at = due.rotated_at?;
        if now_ms - rotated_at >= to_ms_len(ROTATION_OVERLAP) {
            return None;
        }
        self.open(due, due.previous_secret.as_deref()?)
    }

    /// A sealed secret of the endpoint's, opened.
    fn open(&self, due: &DueDelivery, sealed: &str) -> Option<WebhookSecret> {
        let tenant_id: Uuid = due.tenant_id.parse().ok()?;
        let field = secret_field(&due.endpoint_id);
        let plain = self
            .secrets
            .open(
                sealed,
                SealedField {
                    tenant_id,
                    field: &field,
                },
            )
            .ok()?;
        WebhookSecret::parse(&plain).ok()
    }
}

/// One attempt in flight to an endpoint, counted until dropped (however the attempt ends).
struct InFlight {
    counts: Arc<Mutex<HashMap<String, usize>>>,
    endpoint: String,
}

impl InFlight {
    fn start(counts: &Arc<Mutex<HashMap<String, usize>>>, endpoint: &str) -> Self {
        let mut map = counts.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(endpoint.to_owned()).or_default() += 1;
        Self {
            counts: Arc::clone(counts),
            endpoint: endpoint.to_owned(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(&self.endpoint) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.endpoint);
            }
        }
    }
}

/// The sealed field an endpoint's secret is bound to.
pub fn secret_field(endpoint_id: &str) -> String {
    format!("webhook_secret/{endpoint_id}")
}

/// Why a delivery's body could not be made.
enum Unsendable {
    /// It never will be: the delivery fails.
    Never(String),
    /// Not now (the database): tried again later.
    NotNow(String),
}

/// What one attempt met.
enum Sent {
    /// An HTTP status.
    Answered(u16),
    /// No answer (connection, TLS, timeout); tried again.
    NoAnswer(String),
    /// Not sent, and sending again would not help.
    Refused(String),
}

/// A connection error in a few words, with its innermost cause.
fn describe(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let kind = if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let text = format!("{kind}: {cause}");
    text.chars().take(300).collect()
}

fn to_ms_len(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
