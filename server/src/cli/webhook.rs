//! `opsux webhook add|list|remove|rotate-secret|resume|test|resend|deliveries`: where a
//! tenant's ended runs are sent, and what became of each delivery.

use serde::Serialize;

use super::output::{console_change, list, open, say, when};
use super::{DatabaseArgs, SecretsArgs};
use crate::org::{self, NewWebhook};

/// The deliverer's destination rule, for `serve`, `worker` and `webhook add`.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookArgs {
    /// Let webhooks go to loopback, private, link-local and other non-public addresses, and
    /// over plain http: for receivers on a private network. Without it such destinations are
    /// refused when added and at every delivery.
    #[arg(long, env = "OPSUX_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum WebhookCommand {
    /// Add an endpoint to a tenant; prints its signing secret on its last line, once.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        secrets: SecretsArgs,
        #[command(flatten)]
        destinations: WebhookArgs,
        /// The tenant's slug: the endpoint hears of its runs and no other tenant's.
        #[arg(long)]
        tenant: String,
        /// Its name in lists and in the other commands (unique in the tenant).
        #[arg(long)]
        name: String,
        /// Where `run.ended` is posted: an https URL on the public internet.
        #[arg(long)]
        url: String,
        /// Only runs that failed or partially succeeded.
        #[arg(long)]
        only_failed: bool,
        /// Only runs nobody started by hand (schedules, other services' system runs).
        #[arg(long)]
        only_system: bool,
        /// Only runs of these operation types, comma-separated; every type if left out.
        #[arg(long, value_delimiter = ',')]
        types: Option<Vec<String>>,
    },
    /// List a tenant's endpoints (never their secrets).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
    /// Remove an endpoint; deliveries still owed to it are dropped.
    Remove {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Give an endpoint a new signing secret; prints it on its last line, once.
    RotateSecret {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        secrets: SecretsArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Resume an endpoint paused after a day of failures: what it missed is sent.
    Resume {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Queue a `webhook.test` event for an endpoint.
    Test {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Send an ended delivery again, under the same `webhook-id`.
    Resend {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// The delivery's id, as `webhook deliveries` shows it.
        #[arg(long)]
        delivery: String,
    },
    /// An endpoint's latest deliveries, newest first.
    Deliveries {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// How many (1–100).
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct EndpointLine {
    name: String,
    url: String,
    only_failed: bool,
    only_system: bool,
    types: Option<Vec<String>>,
    created_by: Option<String>,
    created_at: String,
    failing_since: Option<String>,
    paused_at: Option<String>,
}

#[derive(Serialize)]
struct DeliveryLine {
    /// The `webhook-id` its requests carry.
    id: String,
    run_id: Option<String>,
    event: String,
    state: String,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    next_attempt_at: Option<String>,
    created_at: String,
    ended_at: Option<String>,
}

pub(super) async fn run(command: WebhookCommand) -> anyhow::Result<()> {
    match command {
        WebhookCommand::Add {
            database,
            secrets,
            destinations,
            tenant,
            name,
            url,
            only_failed,
            only_system,
            types,
        } => {
            let store = open(&database).await?;
            let key = secrets.key(&database.database_url)?;
            let new = NewWebhook {
                name: &name,
                url: &url,
                only_failed,
                only_system,
                types: types.as_deref(),
            };
            let added = org::add_webhook(
                &store,
                &key,
                &console_change(),
                &tenant,
                &new,
                destinations.webhook_allow_private,
            )
            .await?;
            say(&format!(
                "webhook {:?} added to {tenant}; its signing secret is shown this once:",
                added.name
            ));
            say(&added.secret);
        }
        WebhookCommand::List {
            database,
            tenant,
            json,
        } => {
            let store = open(&database).await?;
            let lines: Vec<EndpointLine> = org::webhooks(&store, &tenant)
                .await?
                .into_iter()
                .map(|w| EndpointLine {
                    name: w.name,
                    url: w.url,
                    only_failed: w.only_failed,
                    only_system: w.only_system,
                    types: w.types,
                    created_by: w.created_by,
                    created_at: when(Some(w.created_at_ms)),
                    failing_since: w.failing_since_ms.map(|ms| when(Some(ms))),
                    paused_at: w.paused_at_ms.map(|ms| when(Some(ms))),
                })
                .collect();
            let headers = ["NAME", "URL", "RUNS", "STATE", "CREATED"];
            list(json, &lines, &headers, |w| {
                let mut runs = Vec::new();
                if w.only_failed {
                    runs.push("failed".to_owned());
                }
                if w.only_system {
                    runs.push("system".to_owned());
                }
                if let Some(types) = &w.types {
                    runs.push(types.join(","));
                }
                vec![
                    w.name.clone(),
                    w.url.clone(),
                    if runs.is_empty() {
                        "all".to_owned()
                    } else {
                        runs.join(" ")
                    },
                    match (&w.paused_at, &w.failing_since) {
                        (Some(at), _) => format!("paused {at}"),
                        (None, Some(since)) => format!("failing since {since}"),
                        (None, None) => "active".to_owned(),
                    },
                    w.created_at.clone(),
                ]
            })?;
        }
        WebhookCommand::Remove {
            database,
            tenant,
            name,
        } => {
            let store = open(&database).await?;
            org::remove_webhook(&store, &console_change(), &tenant, &name).await?;
            say(&format!("webhook {:?} removed from {tenant}", name.trim()));
        }
        WebhookCommand::RotateSecret {
            database,
            secrets,
            tenant,
            name,
        } => {
            let store = open(&database).await?;
            let key = secrets.key(&database.database_url)?;
            let rotated =
                org::rotate_webhook_secret(&store, &key, &console_change(), &tenant, &name).await?;
            say(&format!(
                "webhook {:?} of {tenant} signs with a new secret from its next attempt on; \
                 it is shown this once:",
                rotated.name
            ));
            say(&rotated.secret);
        }
        WebhookCommand::Resume {
            database,
            tenant,
            name,
        } => {
            let store = open(&database).await?;
            org::resume_webhook(&store, &console_change(), &tenant, &name).await?;
            say(&format!(
                "webhook {:?} of {tenant} is resumed; what it missed is sent",
                name.trim()
            ));
        }
        WebhookCommand::Test {
            database,
            tenant,
            name,
        } => {
            let store = open(&database).await?;
            let id = org::send_test_event(&store, &console_change(), &tenant, &name).await?;
            say(&format!(
                "a webhook.test event for {:?} will be sent as msg_{id}",
                name.trim()
            ));
        }
        WebhookCommand::Resend {
            database,
            tenant,
            name,
            delivery,
        } => {
            let store = open(&database).await?;
            org::resend_delivery(&store, &console_change(), &tenant, &name, &delivery).await?;
            say(&format!("{} will be sent again", delivery.trim()));
        }
        WebhookCommand::Deliveries {
            database,
            tenant,
            name,
            limit,
            json,
        } => {
            let store = open(&database).await?;
            let lines: Vec<DeliveryLine> = org::webhook_deliveries(&store, &tenant, &name, limit)
                .await?
                .into_iter()
                .map(|d| DeliveryLine {
                    id: format!("msg_{}", d.id),
                    run_id: d.run_id,
                    event: d.event,
                    state: d.state,
                    attempts: d.attempts,
                    last_status: d.last_status,
                    last_error: d.last_error,
                    next_attempt_at: d.next_attempt_at.map(|ms| when(Some(ms))),
                    created_at: when(Some(d.created_at)),
                    ended_at: d.ended_at.map(|ms| when(Some(ms))),
                })
                .collect();
            let headers = ["DELIVERY", "RUN", "STATE", "ATTEMPTS", "LAST", "NEXT"];
            list(json, &lines, &headers, |d| {
                vec![
                    d.id.clone(),
                    d.run_id.clone().unwrap_or_else(|| d.event.clone()),
                    d.state.clone(),
                    d.attempts.to_string(),
                    match (&d.last_status, &d.last_error) {
                        (Some(status), _) => status.to_string(),
                        (None, Some(error)) => error.clone(),
                        (None, None) => "-".to_owned(),
                    },
                    d.next_attempt_at.clone().unwrap_or_else(|| "-".to_owned()),
                ]
            })?;
        }
    }
    Ok(())
}
