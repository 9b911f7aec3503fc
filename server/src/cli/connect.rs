//! `opsux connect`: stores a tenant's provider connection — the directory, the app
//! registration's client id and its secret (sealed with the secrets key) — after checking that
//! the credentials sign in and can list policies.

use std::io::BufRead;

use anyhow::Context;
use opsux_core::TenantSlug;

use super::output::console_change;
use super::{DatabaseArgs, SecretsArgs};
use crate::org::{self, NewConnection};

#[derive(Debug, clap::Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secrets: SecretsArgs,
    #[command(flatten)]
    pub provider: super::ProviderArgs,
    /// The opsux tenant (its slug).
    #[arg(long)]
    pub tenant: String,
    /// The Entra ID directory (tenant) id.
    #[arg(long)]
    pub directory_id: String,
    /// The app registration's client (application) id.
    #[arg(long)]
    pub client_id: String,
    /// Where tokens come from.
    #[arg(long, default_value = org::DEFAULT_LOGIN_URL)]
    pub login_url: String,
    /// The Graph API root.
    #[arg(long, default_value = org::DEFAULT_GRAPH_URL)]
    pub graph_url: String,
    /// Store the connection without signing in first.
    #[arg(long)]
    pub no_check: bool,
}

pub(super) async fn connect(args: ConnectArgs) -> anyhow::Result<()> {
    let slug =
        TenantSlug::parse(&args.tenant).with_context(|| format!("--tenant {:?}", args.tenant))?;
    let secret = client_secret()?;
    let store = args.database.open().await?;
    let key = args.secrets.key(&args.database.database_url)?;
    let new = NewConnection {
        directory_id: &args.directory_id,
        client_id: &args.client_id,
        client_secret: &secret,
        login_url: &args.login_url,
        graph_url: &args.graph_url,
    };
    org::connect(
        &store,
        &args.provider.config(),
        &key,
        &console_change(),
        slug.as_str(),
        new,
        !args.no_check,
    )
    .await?;
    print_connected(&slug, args.no_check);
    Ok(())
}

/// The client secret: `OPSUX_CLIENT_SECRET`, else the first line of standard input — never
/// an argument, which other users of the machine could read.
fn client_secret() -> anyhow::Result<String> {
    if let Ok(secret) = std::env::var("OPSUX_CLIENT_SECRET")
        && !secret.is_empty()
    {
        return Ok(secret);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the client secret from standard input")?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        !secret.is_empty(),
        "no client secret: set OPSUX_CLIENT_SECRET or give it on standard input"
    );
    Ok(secret)
}

#[expect(
    clippy::print_stdout,
    reason = "the outcome is the command's answer to the person at the terminal"
)]
fn print_connected(slug: &TenantSlug, unchecked: bool) {
    if unchecked {
        println!("{slug}: connected (not checked); its client secret is stored sealed");
    } else {
        println!(
            "{slug}: connected, signed in and listed policies; its client secret is stored sealed"
        );
    }
}
