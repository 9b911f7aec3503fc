use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Notify, watch};

use crate::auth::{LoginLimits, LoginThrottle, SECURE_SESSION_COOKIE, SESSION_COOKIE};
use crate::clock::SharedClock;
use crate::events::EventHub;
use crate::runs::{RunConfig, RunService};
use crate::store::Store;
use crate::stream_slots::StreamSlots;

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Trunk output folder served at `/`.
    pub assets_dir: PathBuf,
    /// Our own origin (`https://ops.example.com`). State-changing requests must carry it (or an
    /// allowed origin). Unset, the request's own `Host` stands in for it, which suits local
    /// use but trusts whatever `Host` a proxy forwards.
    pub public_origin: Option<String>,
    /// Origins besides our own that may send state-changing requests (embedding hosts, R17).
    pub allowed_origins: Vec<String>,
    /// Mark the session cookie `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Send the session cookie on cross-site requests (`SameSite=None; Secure`), so widgets
    /// embedded on another site's pages are signed in. Needs HTTPS.
    pub cross_site_cookies: bool,
    pub runs: RunConfig,
    /// Events buffered per stream subscriber before it lags and is resynchronized.
    pub event_capacity: usize,
    /// When set, `GET /metrics` needs `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// How often an open stream checks that its session and membership still hold.
    pub stream_recheck: std::time::Duration,
    /// Where export files are (written by the workers' `policy_export`, read by downloads).
    pub exports_dir: PathBuf,
    pub login_limits: LoginLimits,
    /// When set, requests whose `Host` is not one of these (host names or addresses, without
    /// port) are refused: a page on another name that resolves here (DNS rebinding) reaches
    /// nothing. `opsux serve` sets it when no public origin is configured.
    pub allowed_hosts: Option<Vec<String>>,
    /// Event streams one person may hold open at once; beyond, 429.
    pub streams_per_user: usize,
    /// How long a handler may take to answer (503 beyond), and a request's body to arrive
    /// (408 beyond). Streams and downloads answer at once; their bodies are not limited.
    pub request_timeout: std::time::Duration,
    /// Sign-in with the organisation's OpenID Connect provider, when configured.
    pub oidc: Option<crate::auth::oidc::OidcConfig>,
    /// Where tenants' providers may live and what they may send (R20), for connecting a
    /// tenant from the Workspace page.
    pub provider: crate::provider::ProviderConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client (sign-in limits count by it).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `--webhook-allow-private`: the Webhooks page accepts loopback and private destinations.
    pub webhook_allow_private: bool,
}

impl Config {
    /// Whether the session cookie is `Secure`: asked for, needed for cross-site embedding, or
    /// implied by an https public origin.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
            || self.cross_site_cookies
            || self
                .public_origin
                .as_deref()
                .is_some_and(|o| o.starts_with("https://"))
    }

    /// The session cookie's name: `__Host-` prefixed whenever it is `Secure`, so browsers
    /// refuse it unless it was set by this exact host over https, for the whole site.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: SharedClock,
    pub events: EventHub,
    pub runs: RunService,
    /// Rouses the worker after a run is queued.
    pub wake_worker: Arc<Notify>,
    /// What this process's webhook deliverer did, for `/metrics`.
    pub webhook_metrics: Arc<crate::metrics::DeliveryMetrics>,
    pub login: Arc<LoginThrottle>,
    pub streams: Arc<StreamSlots>,
    /// The OpenID Connect provider people may sign in with, when configured.
    pub oidc: Option<Arc<crate::auth::oidc::Oidc>>,
    /// The key tenant credentials are sealed with, for the Workspace page's *Connect*; `None`
    /// where the process was given none (then connecting answers 503).
    pub secrets: Option<Arc<crate::secrets::SecretsKey>>,
    /// Turns true when the process begins to shut down: open streams end.
    stopping: Arc<watch::Sender<bool>>,
}

impl AppState {
    pub fn new(config: Config, store: Store, clock: SharedClock) -> Self {
        // On PostgreSQL every process hears every change from the database (see `relay`).
        let events = if store.announces_changes() {
            EventHub::fed_by_database(config.event_capacity)
        } else {
            EventHub::with_capacity(config.event_capacity)
        };
        let runs = RunService::new(
            store.clone(),
            Arc::clone(&clock),
            events.clone(),
            config.runs.clone(),
        );
        let wake_worker = Arc::new(Notify::new());
        crate::relay::spawn(
            &store,
            runs.clone(),
            events.clone(),
            Arc::clone(&wake_worker),
        );
        let oidc = config.oidc.clone().and_then(|c| match crate::auth::oidc::Oidc::new(c) {
            Ok(oidc) => Some(Arc::new(oidc)),
            Err(err) => {
                tracing::error!(%err, "sign-in with OpenID Connect is off: its HTTP client cannot be built");
                None
            }
        });
        Self {
            oidc,
            secrets: None,
            login: Arc::new(LoginThrottle::new(config.login_limits)),
            streams: StreamSlots::new(config.streams_per_user),
            stopping: Arc::new(watch::Sender::new(false)),
            config: Arc::new(config),
            store,
            clock,
            events,
            runs,
            wake_worker,
            webhook_metrics: Arc::default(),
        }
    }
}

impl AppState {
    /// This state with the secrets key the process was given.
    #[must_use]
    pub fn with_secrets(mut self, secrets: Arc<crate::secrets::SecretsKey>) -> Self {
        self.secrets = Some(secrets);
        self
    }

    /// Ends every open stream (their clients reconnect to another process, or to this one
    /// restarted); called at SIGTERM, before the HTTP server waits for its connections.
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once shutdown has begun.
    pub fn shutting_down(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopping = self.stopping.subscribe();
        async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            assets_dir: PathBuf::from("dist"),
            public_origin: None,
            allowed_origins: Vec::new(),
            secure_cookies: false,
            cross_site_cookies: false,
            runs: RunConfig::default(),
            event_capacity: EventHub::CAPACITY,
            metrics_token: None,
            stream_recheck: std::time::Duration::from_secs(30),
            exports_dir: PathBuf::from("data/exports"),
            login_limits: LoginLimits::default(),
            allowed_hosts: None,
            streams_per_user: 32,
            request_timeout: std::time::Duration::from_secs(30),
            oidc: None,
            provider: crate::provider::ProviderConfig::default(),
            trusted_proxies: Vec::new(),
            webhook_allow_private: false,
        }
    }
}
