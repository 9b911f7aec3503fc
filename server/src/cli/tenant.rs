//! `opsux tenant add|list|rename`.

use serde::Serialize;

use super::DatabaseArgs;
use super::output::{console_change, list, open, say, when};
use crate::org;

#[derive(Debug, clap::Subcommand)]
pub enum TenantCommand {
    /// Add a tenant; the workspace's owners become its owners.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Its short name in URLs: 2–40 lowercase letters, digits and hyphens.
        #[arg(long)]
        slug: String,
        /// Its name as the panel shows it.
        #[arg(long)]
        name: String,
    },
    /// List the tenants.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
    /// Give a tenant another name (its slug stays).
    Rename {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Serialize)]
struct TenantLine {
    slug: String,
    name: String,
    members: i64,
    connected: bool,
    created_at: String,
}

pub(super) async fn run(command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Add {
            database,
            slug,
            name,
        } => {
            let store = open(&database).await?;
            org::add_tenant(&store, &console_change(), &slug, &name).await?;
            say(&format!(
                "tenant {slug} added; the workspace's owners own it. Next: `opsux connect --tenant {slug} …`, `opsux member grant --tenant {slug} …`"
            ));
        }
        TenantCommand::List { database, json } => {
            let store = open(&database).await?;
            let Some(workspace) = store.workspace().await? else {
                anyhow::bail!("there is no workspace yet: run `opsux init` first");
            };
            let tenants: Vec<TenantLine> = store
                .tenant_list(&workspace.id)
                .await?
                .into_iter()
                .map(|t| TenantLine {
                    slug: t.slug,
                    name: t.name,
                    members: t.members,
                    connected: t.connected,
                    created_at: when(Some(t.created_at)),
                })
                .collect();
            let headers = ["SLUG", "NAME", "MEMBERS", "CONNECTED", "CREATED"];
            list(json, &tenants, &headers, |t| {
                vec![
                    t.slug.clone(),
                    t.name.clone(),
                    t.members.to_string(),
                    if t.connected { "yes" } else { "no" }.to_owned(),
                    t.created_at.clone(),
                ]
            })?;
        }
        TenantCommand::Rename {
            database,
            slug,
            name,
        } => {
            let store = open(&database).await?;
            org::rename_tenant(&store, &console_change(), &slug, &name).await?;
            say(&format!("tenant {slug} is now named {:?}", name.trim()));
        }
    }
    Ok(())
}
