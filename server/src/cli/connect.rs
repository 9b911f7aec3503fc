//! `opsux connect`: stores a tenant's provider connection — the directory, the app
//! registration's client id and its secret (sealed with the secrets key) — after checking that
//! the credentials sign in and can list policies.

use std::io::BufRead;

use anyhow::Context;
use opsux_core::TenantSlug;

use super::{DatabaseArgs, SecretsArgs};
use crate::clock::to_ms;
use crate::provider::{
    Cancel, Credentials, GraphEndpoints, GraphProvider, RetryPolicy, TenantProvider,
};
use crate::store::connections::Connection;

#[derive(Debug, clap::Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secrets: SecretsArgs,
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
    #[arg(long, default_value = "https://login.microsoftonline.com")]
    pub login_url: String,
    /// The Graph API root.
    #[arg(long, default_value = "https://graph.microsoft.com/v1.0")]
    pub graph_url: String,
    /// Store the connection without signing in first.
    #[arg(long)]
    pub no_check: bool,
}

pub(super) async fn connect(args: ConnectArgs) -> anyhow::Result<()> {
    let slug =
        TenantSlug::parse(&args.tenant).with_context(|| format!("--tenant {:?}", args.tenant))?;
    for (flag, value) in [
        ("--directory-id", &args.directory_id),
        ("--client-id", &args.client_id),
    ] {
        anyhow::ensure!(!value.trim().is_empty(), "{flag} is empty");
    }
    for (flag, url) in [
        ("--login-url", &args.login_url),
        ("--graph-url", &args.graph_url),
    ] {
        let parsed =
            reqwest::Url::parse(url).with_context(|| format!("{flag} {url:?} is not a URL"))?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "https" | "http"),
            "{flag} {url:?} is not an http(s) URL"
        );
    }
    let secret = client_secret()?;
    let store = args.database.open().await?;
    let tenant = store
        .tenant(&slug)
        .await?
        .with_context(|| format!("--tenant {:?}: there is no such tenant", args.tenant))?;
    let key = args.secrets.key(&args.database.database_url)?;
    let endpoints = GraphEndpoints {
        login: args.login_url.trim_end_matches('/').to_owned(),
        graph: args.graph_url.trim_end_matches('/').to_owned(),
    };
    let credentials = Credentials {
        directory_id: args.directory_id.trim().to_owned(),
        client_id: args.client_id.trim().to_owned(),
        client_secret: secret.clone(),
    };
    if !args.no_check {
        let provider = GraphProvider::new(
            endpoints.clone(),
            credentials.clone(),
            RetryPolicy::default(),
        )?;
        provider
            .list_policies(None, &Cancel::default())
            .await
            .map_err(|err| anyhow::anyhow!("the credentials were not stored: {err}"))?;
    }
    let connection = Connection {
        directory_id: credentials.directory_id,
        client_id: credentials.client_id,
        secret_sealed: key.seal(&secret),
        login_url: endpoints.login,
        graph_url: endpoints.graph,
    };
    let now = to_ms(time::OffsetDateTime::now_utc());
    store.set_connection(tenant.id, &connection, now).await?;
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
