//! `opsux serve`: the API, the dashboard and (unless `--no-worker`) a worker and scheduler.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use super::signals::{deliver_in_background, run_in_background, stop_on_signal, until_stopped};
use super::{CapArgs, DatabaseArgs, DrainArgs, FlowArgs, LeaseArgs, flows};
use crate::auth::LoginLimits;
use crate::auth::oidc::OidcConfig;
use crate::clock::{SystemClock, to_ms};
use crate::demo;
use crate::serve::ServeLimits;
use crate::state::{AppState, Config};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "OPSUX_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The dashboard build (Trunk's `dist/`) to serve at `/`.
    #[arg(long, env = "OPSUX_ASSETS_DIR", default_value = "dist")]
    pub assets_dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Seed the demo data set first (see `seed-demo`), start the Graph simulator in this
    /// process and connect the demo tenants to it.
    #[arg(long)]
    pub demo: bool,
    /// Where `--demo` starts the Graph simulator; port 0 picks a free port (printed at start).
    #[arg(
        long,
        env = "OPSUX_DEMO_SIMULATOR_LISTEN",
        default_value = "127.0.0.1:0"
    )]
    pub simulator_listen: SocketAddr,
    /// This server's public origin (`https://host[:port]`), required on state-changing
    /// requests. Unset: the request's `Host` header is trusted instead (fine on localhost).
    #[arg(long, env = "OPSUX_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Without `--public-origin`, the server answers only requests whose `Host` is an IP
    /// address, `localhost`, or a name given here (repeat for several): a name pointed at this
    /// server by someone else (DNS rebinding) reaches nothing.
    #[arg(
        long = "allowed-host",
        env = "OPSUX_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// An origin (`https://host[:port]`) of pages that embed the widget and may send
    /// state-changing requests; repeat for several.
    #[arg(
        long = "allowed-origin",
        env = "OPSUX_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// A reverse proxy (an address or a CIDR such as 10.0.0.0/8) whose `X-Forwarded-For`
    /// names the client, which sign-in limits count by; repeat or separate with commas.
    /// From any other peer the header is ignored. Default: none (the peer is the client).
    #[arg(
        long = "trusted-proxy",
        env = "OPSUX_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = parse_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Mark the session cookie `Secure`; set it when serving behind HTTPS.
    #[arg(long, env = "OPSUX_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Send the session cookie to widgets embedded on other sites' pages
    /// (`SameSite=None; Secure`); needs HTTPS, and so `--secure-cookies`. Pages on the same site
    /// (another port or subdomain) need nothing.
    #[arg(long, env = "OPSUX_CROSS_SITE_COOKIES", requires = "secure_cookies")]
    pub cross_site_cookies: bool,
    /// A token scrapers must send (`Authorization: Bearer …`) to read `/metrics`. Required
    /// when listening on an address other than loopback; unset, `/metrics` is open.
    #[arg(long, env = "OPSUX_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Sign-in attempts allowed per minute from one client address (right or wrong; the
    /// address is the peer's, or behind a reverse proxy named by --trusted-proxy the one it
    /// forwards for).
    #[arg(long, env = "OPSUX_LOGIN_PER_ADDRESS", default_value_t = LoginLimits::default().per_address_per_minute)]
    pub login_attempts_per_address: NonZeroU32,
    /// Failed sign-ins allowed per minute for one account (e-mail address) from one client
    /// address; once spent, that account is refused from that address (the right password
    /// too) until the budget refills. From other addresses it is not.
    #[arg(long, env = "OPSUX_LOGIN_PER_ACCOUNT", default_value_t = LoginLimits::default().per_account_per_minute)]
    pub login_attempts_per_account: NonZeroU32,
    /// Event streams (bell, widget, Run Detail) one person may hold open at once, over all
    /// their sessions; a tab holds two or three. Beyond, 429.
    #[arg(long, env = "OPSUX_STREAMS_PER_USER", default_value_t = 32,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub streams_per_user: u32,
    #[command(flatten)]
    pub caps: CapArgs,
    /// Connections served at once; at the cap the server stops accepting until one closes.
    /// Each open stream is a connection: keep the open-files limit (`ulimit -n`) above this.
    #[arg(long, env = "OPSUX_MAX_CONNECTIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Seconds a client has to send a request's headers; an idle keep-alive connection is
    /// closed after as long.
    #[arg(long, env = "OPSUX_HEADER_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Seconds a request may take to be answered (streams and downloads answer at once and
    /// are not limited), and to send its body; beyond, 503 or 408.
    #[arg(long, env = "OPSUX_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// Runs executed at once by this process's worker.
    #[arg(long, env = "OPSUX_WORKER_CONCURRENCY", default_value_t = 4)]
    pub worker_concurrency: usize,
    /// Serve the API only; `opsux worker` processes execute the runs (and schedule them).
    #[arg(long, env = "OPSUX_NO_WORKER")]
    pub no_worker: bool,
    #[command(flatten)]
    pub lease: LeaseArgs,
    #[command(flatten)]
    pub drain: DrainArgs,
    #[command(flatten)]
    pub flows: FlowArgs,
    #[command(flatten)]
    pub oidc: OidcArgs,
    #[command(flatten)]
    pub webhooks: super::WebhookArgs,
}

/// Sign-in with the organisation's OpenID Connect provider (Entra ID).
#[derive(Debug, clap::Args)]
pub struct OidcArgs {
    /// The provider's issuer URL, e.g. `https://login.microsoftonline.com/{directory}/v2.0`;
    /// its client secret comes from `OPSUX_OIDC_CLIENT_SECRET`. With `--demo` and without this,
    /// the demo's Graph simulator is the provider.
    #[arg(long, env = "OPSUX_OIDC_ISSUER", requires = "oidc_client_id")]
    pub oidc_issuer: Option<String>,
    /// The app registration's client (application) id.
    #[arg(long, env = "OPSUX_OIDC_CLIENT_ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,
}

impl OidcArgs {
    /// The provider to sign in with: the one named, else the demo simulator's, else none.
    fn config(&self, simulator: Option<&str>) -> anyhow::Result<Option<OidcConfig>> {
        match (&self.oidc_issuer, &self.oidc_client_id, simulator) {
            (Some(issuer), Some(client_id), _) => {
                let parsed = reqwest::Url::parse(issuer)
                    .with_context(|| format!("--oidc-issuer {issuer:?} is not a URL"))?;
                let loopback =
                    matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
                anyhow::ensure!(
                    parsed.scheme() == "https" || loopback,
                    "--oidc-issuer {issuer:?} must be https (plain http only on loopback)"
                );
                let client_secret = std::env::var("OPSUX_OIDC_CLIENT_SECRET")
                    .ok()
                    .filter(|s| !s.is_empty())
                    .context(
                        "--oidc-issuer needs the client secret in OPSUX_OIDC_CLIENT_SECRET \
                         (never on the command line)",
                    )?;
                Ok(Some(OidcConfig {
                    issuer: issuer.trim_end_matches('/').to_owned(),
                    client_id: client_id.clone(),
                    client_secret,
                }))
            }
            (None, None, Some(simulator)) => Ok(Some(OidcConfig {
                issuer: format!("{simulator}/oidc"),
                client_id: crate::simulator::DEMO_CLIENT_ID.to_owned(),
                client_secret: crate::simulator::DEMO_CLIENT_SECRET.to_owned(),
            })),
            _ => Ok(None),
        }
    }
}

pub(super) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.assets_dir.join("index.html").is_file() {
        tracing::warn!(
            assets_dir = %args.assets_dir.display(),
            "no index.html in the assets folder: the API works, the dashboard does not; \
             `cargo xtask run` builds it"
        );
    }
    // An allowed origin is compared as written with the browser's `Origin` header: accept a
    // trailing slash, refuse anything that is not an origin, rather than silently never match.
    let mut allowed_origins = Vec::new();
    for origin in &args.allowed_origins {
        let origin = origin.trim().trim_end_matches('/');
        if !crate::security::is_origin(origin) {
            anyhow::bail!(
                "--allowed-origin {origin:?} is not an origin: give scheme, host and port only, \
                 such as https://portal.example.com or http://127.0.0.1:8081"
            );
        }
        allowed_origins.push(origin.to_owned());
    }
    let exposed = !args.listen.ip().is_loopback();
    if args.demo && (exposed || !args.simulator_listen.ip().is_loopback()) {
        anyhow::bail!(
            "--demo signs people in with passwords anyone can read in the README, and its Graph \
             simulator takes fault settings from anyone: listen on loopback only \
             (--listen 127.0.0.1:PORT, --simulator-listen 127.0.0.1:PORT), or leave out --demo"
        );
    }
    if exposed && args.metrics_token.is_none() {
        anyhow::bail!(
            "--listen {} is reachable from other machines, and /metrics would be open to them: \
             give --metrics-token (or OPSUX_METRICS_TOKEN), or listen on 127.0.0.1",
            args.listen
        );
    }
    let allowed_hosts = if args.public_origin.is_some() {
        None
    } else {
        if exposed {
            tracing::warn!(
                listen = %args.listen,
                "no --public-origin: requests are trusted by their Host header, and only IP \
                 addresses, localhost and --allowed-host names are answered"
            );
        }
        Some(crate::hosts::default_allowed_hosts(&args.allowed_hosts))
    };
    let database_url = args.database.database_url.clone();
    let exports_dir = args.flows.exports_dir(&database_url)?;
    let store = args.database.open().await?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    // The demo's simulator first: it is also the demo's OpenID Connect provider.
    let simulator = if args.demo {
        Some(flows::start_simulator(args.simulator_listen).await?)
    } else {
        None
    };
    let oidc = args.oidc.config(simulator.as_deref())?;
    // The secrets key seals tenant credentials: the worker needs it, and so does the
    // Workspace page's *Connect*; an API-only process without one serves everything else.
    let secrets = args.flows.secrets.key(&database_url).map(Arc::new);
    let mut state = AppState::new(
        Config {
            assets_dir: args.assets_dir,
            public_origin: args.public_origin,
            allowed_origins,
            secure_cookies: args.secure_cookies,
            cross_site_cookies: args.cross_site_cookies,
            metrics_token: args.metrics_token,
            runs: args.caps.run_config(&args.lease),
            exports_dir: exports_dir.clone(),
            login_limits: LoginLimits {
                per_address_per_minute: args.login_attempts_per_address,
                per_account_per_minute: args.login_attempts_per_account,
            },
            allowed_hosts,
            streams_per_user: args.streams_per_user as usize,
            request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
            oidc,
            provider: args.flows.provider.config(),
            trusted_proxies: args.trusted_proxies.clone(),
            webhook_allow_private: args.webhooks.webhook_allow_private,
            ..Config::default()
        },
        store,
        Arc::new(SystemClock),
    );
    let secrets = match secrets {
        Ok(key) => {
            super::secrets::bind_unbound(&state.store, &key).await;
            state = state.with_secrets(Arc::clone(&key));
            Some(key)
        }
        Err(err) if args.no_worker && simulator.is_none() => {
            tracing::warn!(%err, "no secrets key: tenants cannot be connected from the panel here");
            None
        }
        Err(err) => return Err(err),
    };
    let env = match (&secrets, args.no_worker) {
        (Some(key), false) => Some(args.flows.env(&state, Arc::clone(key), exports_dir)),
        _ => None,
    };
    if let (Some(simulator), Some(secrets)) = (simulator, &secrets) {
        let now = to_ms(time::OffsetDateTime::now_utc());
        demo::seed(&state.store, now).await?;
        demo::connect(&state.store, secrets, &simulator, now).await?;
        print_demo_logins(&simulator);
    }
    let stopped = stop_on_signal();
    // Webhooks go out from every process that can open their secrets, API-only ones too.
    let delivering = match &secrets {
        Some(key) => Some(deliver_in_background(
            flows::deliverer(
                &state,
                Arc::clone(key),
                &args.webhooks,
                state.config.public_origin.clone(),
            )?,
            stopped.clone(),
        )),
        None => None,
    };
    let background = env.map(|env| {
        let worker = flows::worker(&state, &env, args.worker_concurrency, args.drain.drain());
        let scheduler = (!args.flows.no_scheduler).then(|| flows::scheduler(&state, &args.flows));
        tokio::spawn(run_in_background(worker, scheduler, stopped.clone()))
    });
    tracing::info!(
        backend = state.store.backend().as_str(),
        worker = background.is_some(),
        "opsux listening on http://{addr}"
    );
    // One signal stops everything at once: the worker claims nothing more and drains, open
    // streams end, and the server answers the requests in flight, then closes.
    let streams_end = {
        let (state, stopped) = (state.clone(), stopped.clone());
        async move {
            until_stopped(stopped).await;
            state.begin_shutdown();
        }
    };
    tokio::spawn(streams_end);
    let limits = ServeLimits {
        max_connections: args.max_connections as usize,
        header_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
    };
    let served = crate::serve::serve(
        listener,
        crate::app(state),
        limits,
        until_stopped(stopped.clone()),
    );
    // A request that never ends (a client that stops reading) must not keep the process up.
    let grace = args.drain.drain() + std::time::Duration::from_secs(5);
    let gave_up = async move {
        until_stopped(stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        () = served => {}
        () = gave_up => {
            tracing::warn!("connections still open after the drain time; closing them");
        }
    }
    if let Some(background) = background {
        background.await.context("the worker task failed")?;
    }
    if let Some(delivering) = delivering {
        delivering.await.context("the webhook deliverer failed")?;
    }
    tracing::info!("stopped");
    Ok(())
}

/// On standard output: standard error is the log, which `--log-format json` keeps to one JSON
/// object per line.
#[expect(
    clippy::print_stdout,
    reason = "the demo logins are for the person at the terminal"
)]
fn print_demo_logins(simulator: &str) {
    println!(
        "demo tenants: contoso, fabrikam, connected to the Graph simulator at {simulator} \
         (faults: PUT {simulator}/_admin/tenants/{{directory}}/faults)"
    );
    println!("password for every demo user: {}", demo::DEMO_PASSWORD);
    for user in demo::DEMO_USERS {
        println!("  {:<22} {}", user.email, user.display_name);
    }
}

/// `--trusted-proxy`: a CIDR, or one address.
fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is neither an IP address nor a CIDR such as 10.0.0.0/8"))
}
