//! The Graph simulator: a Microsoft Graph-shaped service with deterministic demo tenants and
//! fault injection, so the demo and the tests exercise the real [`GraphProvider`] over real
//! HTTP (SPEC §5). `opsux simulator` runs it alone; the tests start it in-process.
//!
//! - Sign-in: `POST /{directory}/oauth2/v2.0/token` (client credentials).
//! - API (`/v1.0`): `deviceManagement/deviceConfigurations` (list with `$top`/`$skiptoken`
//!   and `@odata.nextLink`, get, `PATCH`), `groups` (list). The bearer token names the tenant.
//! - Sign-in of people (`/oidc`): an OpenID Connect provider like Entra ID's (`oidc.rs`).
//! - Admin (`/_admin`): read and set a tenant's faults, read its request log; the OIDC
//!   provider's faults (`/_admin/oidc`).
//!
//! [`GraphProvider`]: crate::provider::GraphProvider

mod admin;
mod data;
mod faults;
mod graph;
mod oidc;

pub use data::{DemoTenant, demo_tenants};
pub use faults::Faults;
pub use oidc::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, OidcFaults};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;

use data::TenantData;

/// The simulator's whole state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    started: Instant,
    /// By directory id.
    tenants: HashMap<String, Mutex<SimTenant>>,
    /// Issued access tokens and the directory each belongs to.
    tokens: Mutex<HashMap<String, String>>,
    oidc: Mutex<oidc::OidcState>,
}

#[derive(Debug)]
struct SimTenant {
    data: TenantData,
    faults: Faults,
    rng: fastrand::Rng,
    log: Vec<Request>,
    /// Requests of the Graph API that `throttle_next`/`unavailable_next` have answered.
    stats: Stats,
}

/// What one request got, for the request log.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Milliseconds since the simulator started.
    pub at_ms: u64,
}

/// Counts of one tenant's requests.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub token_requests: u64,
    pub graph_requests: u64,
    pub throttled: u64,
    pub unavailable: u64,
}

/// The most requests a tenant's log keeps.
const LOG_LIMIT: usize = 2000;

impl Simulator {
    pub fn new(tenants: Vec<DemoTenant>) -> Self {
        let tenants = tenants
            .into_iter()
            .map(|tenant| {
                let directory = tenant.directory_id.clone();
                let seed = tenant.seed;
                let sim = SimTenant {
                    data: TenantData::generate(tenant),
                    faults: Faults::default(),
                    rng: fastrand::Rng::with_seed(seed),
                    log: Vec::new(),
                    stats: Stats::default(),
                };
                (directory, Mutex::new(sim))
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                started: Instant::now(),
                tenants,
                tokens: Mutex::new(HashMap::new()),
                oidc: Mutex::new(oidc::OidcState::default()),
            }),
        }
    }

    /// The simulator with the demo tenants.
    pub fn demo() -> Self {
        Self::new(demo_tenants())
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/{directory}/oauth2/v2.0/token", post(graph::token))
            .route(
                "/v1.0/deviceManagement/deviceConfigurations",
                get(graph::list_policies),
            )
            .route(
                "/v1.0/deviceManagement/deviceConfigurations/{id}",
                get(graph::get_policy).patch(graph::update_policy),
            )
            .route("/v1.0/groups", get(graph::list_groups))
            .route(
                "/_admin/tenants/{directory}/faults",
                get(admin::faults).put(admin::set_faults),
            )
            .route("/_admin/tenants/{directory}/requests", get(admin::requests))
            .route(
                "/oidc/.well-known/openid-configuration",
                get(oidc::discovery),
            )
            .route("/oidc/jwks", get(oidc::jwks))
            .route(
                "/oidc/authorize",
                get(oidc::authorize_page).post(oidc::approve),
            )
            .route("/oidc/token", post(oidc::token))
            .route("/_admin/oidc", get(oidc::faults).put(oidc::set_faults))
            .with_state(self.clone())
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    fn tenant(&self, directory: &str) -> Option<MutexGuard<'_, SimTenant>> {
        self.inner
            .tenants
            .get(directory)
            .map(|t| t.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn tokens(&self) -> MutexGuard<'_, HashMap<String, String>> {
        self.inner
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn oidc(&self) -> MutexGuard<'_, oidc::OidcState> {
        self.inner
            .oidc
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

impl SimTenant {
    fn record(&mut self, method: &str, path: &str, status: u16, at_ms: u64) {
        if self.log.len() == LOG_LIMIT {
            self.log.remove(0);
        }
        self.log.push(Request {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            at_ms,
        });
    }
}
