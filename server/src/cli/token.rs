//! `opsux token create|list|revoke`: the API tokens another service uses to start runs on a
//! person's behalf and to work runs over HTTP.

use serde::Serialize;

use super::DatabaseArgs;
use super::output::{console_change, list, open, say, when};
use crate::org::{self, NewApiToken, TokenScope};

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token for a tenant; prints it on its last line, once (only its hash is kept).
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's slug: the token works there and nowhere else.
        #[arg(long)]
        tenant: String,
        /// Its name in lists and in `token revoke` (unique among the tenant's live tokens).
        #[arg(long)]
        name: String,
        /// What it may do: `runs:start`, `runs:work` or both, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// The operation types it may start or work, comma-separated; every type if left out.
        #[arg(long, value_delimiter = ',')]
        types: Option<Vec<String>>,
        /// Days until it stops working (1–3650); it lasts until revoked if left out.
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List a tenant's tokens that are not revoked (never their secrets).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a tenant's token by name: the next request with it is refused.
    Revoke {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Serialize)]
struct TokenLine {
    name: String,
    scopes: Vec<&'static str>,
    types: Option<Vec<String>>,
    created_by: Option<String>,
    created_at: String,
    expires_at: String,
}

pub(super) async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            database,
            tenant,
            name,
            scopes,
            types,
            expires_days,
        } => {
            let scopes = scopes
                .iter()
                .map(|s| s.parse::<TokenScope>())
                .collect::<Result<Vec<_>, _>>()?;
            let store = open(&database).await?;
            let new = NewApiToken {
                name: &name,
                scopes: &scopes,
                types: types.as_deref(),
                expires_days,
            };
            let created = org::create_token(&store, &console_change(), &tenant, &new).await?;
            let until = match created.expires_at_ms {
                Some(ms) => format!("until {}", when(Some(ms))),
                None => "until revoked".to_owned(),
            };
            say(&format!(
                "token {:?} made for {tenant} ({}), {until}; it is shown this once:",
                created.name,
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            say(&created.secret);
        }
        TokenCommand::List {
            database,
            tenant,
            json,
        } => {
            let store = open(&database).await?;
            let lines: Vec<TokenLine> = org::tokens(&store, &tenant)
                .await?
                .into_iter()
                .map(|t| TokenLine {
                    name: t.name,
                    scopes: t.scopes.iter().map(|s| s.as_str()).collect(),
                    types: t.types,
                    created_by: t.created_by,
                    created_at: when(Some(t.created_at_ms)),
                    expires_at: when(t.expires_at_ms),
                })
                .collect();
            let headers = ["NAME", "SCOPES", "TYPES", "CREATED", "EXPIRES"];
            list(json, &lines, &headers, |t| {
                vec![
                    t.name.clone(),
                    t.scopes.join(","),
                    t.types.as_ref().map_or("all".to_owned(), |t| t.join(",")),
                    t.created_at.clone(),
                    t.expires_at.clone(),
                ]
            })?;
        }
        TokenCommand::Revoke {
            database,
            tenant,
            name,
        } => {
            let store = open(&database).await?;
            org::revoke_token(&store, &console_change(), &tenant, &name).await?;
            say(&format!(
                "token {:?} of {tenant} is revoked; requests with it are refused from now on",
                name.trim()
            ));
        }
    }
    Ok(())
}
