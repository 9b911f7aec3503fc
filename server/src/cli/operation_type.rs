//! `opsux operation-type add|list|remove`: operation types another service registers, whose runs
//! its own workers do over HTTP (`/api/v1/worker/…`).

use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use super::DatabaseArgs;
use super::output::{console_change, list, open, say, when};
use crate::org::{self, NewRegisteredType};

#[derive(Debug, clap::Subcommand)]
pub enum OperationTypeCommand {
    /// Register a type: its runs are started like the built-in operations (panel, API token)
    /// and done by a worker of yours over HTTP.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Its id, namespaced with a dot: `acme.invoice_export` (built-in ids cannot be
        /// taken).
        #[arg(long)]
        key: String,
        /// Its name in toasts, notifications and lists: `Invoice export`.
        #[arg(long)]
        label: String,
        /// The capability a person needs to start one: inventory.sync, groups.sync,
        /// backup.manage, restore.execute, policy.export, policy.manage, …
        #[arg(long)]
        capability: String,
        /// The counts its runs may report, comma-separated: total, processed, succeeded,
        /// failed, skipped, created, updated, deleted.
        #[arg(long, value_delimiter = ',', required = true)]
        summary_keys: Vec<String>,
        /// A file holding the JSON Schema its start parameters must meet (a start that does
        /// not is refused with 422); any JSON object if left out.
        #[arg(long)]
        params_schema: Option<PathBuf>,
    },
    /// List the registered types.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
    /// Remove a type (refused while any of its runs is queued or running); its past runs keep
    /// their label.
    Remove {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        key: String,
    },
}

#[derive(Serialize)]
struct TypeLine {
    key: String,
    label: String,
    capability: &'static str,
    summary_keys: Vec<&'static str>,
    params_schema: Option<serde_json::Value>,
    registered_at: String,
}

pub(super) async fn run(command: OperationTypeCommand) -> anyhow::Result<()> {
    match command {
        OperationTypeCommand::Add {
            database,
            key,
            label,
            capability,
            summary_keys,
            params_schema,
        } => {
            let params_schema = params_schema
                .map(|path| -> anyhow::Result<serde_json::Value> {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not JSON", path.display()))
                })
                .transpose()?;
            let store = open(&database).await?;
            let new = NewRegisteredType {
                key: &key,
                label: &label,
                capability: &capability,
                summary_keys: &summary_keys,
                params_schema,
            };
            let registered = org::register_type(&store, &console_change(), &new).await?;
            say(&format!(
                "{} ({}) is registered: people with {} may start it; its workers claim it at \
                 /api/v1/worker/claim",
                registered.key,
                registered.label,
                registered.capability.as_str()
            ));
        }
        OperationTypeCommand::List { database, json } => {
            let store = open(&database).await?;
            let lines: Vec<TypeLine> = org::registered_types(&store)
                .await?
                .into_iter()
                .map(|t| TypeLine {
                    key: t.key.to_string(),
                    label: t.label,
                    capability: t.capability.as_str(),
                    summary_keys: t.summary_keys.iter().map(|k| k.as_str()).collect(),
                    params_schema: t.params_schema,
                    registered_at: when(Some(t.created_at_ms)),
                })
                .collect();
            let headers = [
                "KEY",
                "LABEL",
                "CAPABILITY",
                "SUMMARY KEYS",
                "PARAMS",
                "REGISTERED",
            ];
            list(json, &lines, &headers, |t| {
                vec![
                    t.key.clone(),
                    t.label.clone(),
                    t.capability.to_owned(),
                    t.summary_keys.join(","),
                    if t.params_schema.is_some() {
                        "schema"
                    } else {
                        "any"
                    }
                    .to_owned(),
                    t.registered_at.clone(),
                ]
            })?;
        }
        OperationTypeCommand::Remove { database, key } => {
            let store = open(&database).await?;
            org::remove_type(&store, &console_change(), &key).await?;
            say(&format!(
                "{} is removed; its past runs keep their label",
                key.trim()
            ));
        }
    }
    Ok(())
}
