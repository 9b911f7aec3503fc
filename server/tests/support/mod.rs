//! Shared fixtures: a fresh database per test with the demo data set, the real router, and
//! helpers to act as each demo user.
//!
//! The backend comes from `OPSUX_TEST_DATABASE_URL`: unset, each test gets its own SQLite file;
//! a `postgres://` URL (a role allowed to create databases), each test gets its own database
//! `opsux_test_<unix seconds>_<random>` on that server, dropped by a later run once an hour
//! old (`Store::create_scratch_database`). `cargo xtask test` runs the suites both ways.
#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test crate uses a different part of the shared fixtures"
)]

pub mod sse;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use opsux_core::{OperationParams, OperationType, TenantSlug, UserId};
use opsux_server::clock::{ManualClock, SharedClock, SystemClock, to_ms};
use opsux_server::events::EventHub;
use opsux_server::runs::{ClaimedRun, RunConfig, RunService, StartRun, Started, TenantRef};
use opsux_server::state::Config;
use opsux_server::store::Store;
use opsux_server::worker::{Handlers, Worker, WorkerConfig};
use opsux_server::{AppState, app, demo};
use time::macros::datetime;
use tower::ServiceExt;

/// The demo owner, who starts most runs in tests.
pub const OWNER: &str = "owner@demo.test";

/// The host tests address; state-changing requests carry the matching `Origin`.
pub const HOST: &str = "opsux.test";
pub const ORIGIN: &str = "http://opsux.test";

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: Option<Arc<ManualClock>>,
    _dir: tempfile::TempDir,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// Run settings for tests: two attempts (so the second lost lease ends a run), no progress
/// coalescing unless a test asks for it.
pub fn test_run_config() -> RunConfig {
    RunConfig {
        lease: Duration::from_secs(30),
        max_attempts: 2,
        progress_interval: Duration::ZERO,
        ..RunConfig::default()
    }
}

impl TestApp {
    /// A seeded app on a wall clock.
    pub async fn new() -> Self {
        Self::build(None, test_run_config(), EventHub::CAPACITY).await
    }

    /// A seeded app whose clock moves only when the test says so.
    pub async fn with_manual_clock() -> Self {
        let clock = ManualClock::at(datetime!(2026-11-27 10:00:00 UTC));
        Self::build(Some(clock), test_run_config(), EventHub::CAPACITY).await
    }

    /// A seeded app on the manual clock with its own run settings.
    pub async fn with_manual_clock_and_config(runs: RunConfig) -> Self {
        let clock = ManualClock::at(datetime!(2026-11-27 10:00:00 UTC));
        Self::build(Some(clock), runs, EventHub::CAPACITY).await
    }

    pub async fn with_config(runs: RunConfig) -> Self {
        Self::build(None, runs, EventHub::CAPACITY).await
    }

    /// A seeded app whose stream subscribers lag after `capacity` unread events.
    pub async fn with_event_capacity(capacity: usize) -> Self {
        Self::build(None, test_run_config(), capacity).await
    }

    /// A seeded app with one setting changed.
    pub async fn with(change: impl FnOnce(&mut Config)) -> Self {
        Self::build_with(None, test_run_config(), EventHub::CAPACITY, change).await
    }

    async fn build(
        manual: Option<Arc<ManualClock>>,
        runs: RunConfig,
        event_capacity: usize,
    ) -> Self {
        Self::build_with(manual, runs, event_capacity, |_| {}).await
    }

    async fn build_with(
        manual: Option<Arc<ManualClock>>,
        runs: RunConfig,
        event_capacity: usize,
        change: impl FnOnce(&mut Config),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = test_store(&dir).await;
        let clock: SharedClock = match &manual {
            Some(c) => Arc::clone(c) as SharedClock,
            None => Arc::new(SystemClock),
        };
        demo::seed(&store, to_ms(clock.now())).await.unwrap();
        let mut config = Config {
            assets_dir: dir.path().join("dist"),
            public_origin: None,
            allowed_origins: vec!["https://embed.example".to_owned()],
            secure_cookies: false,
            cross_site_cookies: false,
            runs,
            event_capacity,
            metrics_token: None,
            // Short, so tests see a signed-out stream end quickly.
            stream_recheck: Duration::from_millis(200),
            exports_dir: dir.path().join("exports"),
            login_limits: opsux_server::auth::LoginLimits::default(),
            allowed_hosts: None,
            streams_per_user: 32,
            request_timeout: Duration::from_secs(30),
            oidc: None,
            provider: opsux_server::provider::ProviderConfig::default(),
            trusted_proxies: Vec::new(),
            webhook_allow_private: false,
        };
        change(&mut config);
        let state = AppState::new(config, store, clock);
        let router = app(state.clone());
        Self {
            state,
            router,
            clock: manual,
            _dir: dir,
        }
    }

    /// The tenant's audit log as its owner `cookie` reads it, newest first: each entry as
    /// `"action by who"`.
    pub async fn audit_trail(&self, tenant: &str, cookie: &str) -> Vec<String> {
        let log = self
            .get(&format!("/api/t/{tenant}/audit-log"), Some(cookie))
            .await
            .json();
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} by {}",
                    e["action"].as_str().unwrap(),
                    e["actor_label"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// This app with a secrets key, as `opsux serve` has (the Workspace page's *Connect*).
    pub fn with_secrets(mut self, key: opsux_server::secrets::SecretsKey) -> Self {
        self.state = self.state.clone().with_secrets(Arc::new(key));
        self.router = app(self.state.clone());
        self
    }

    pub fn runs(&self) -> &RunService {
        &self.state.runs
    }

    pub fn advance(&self, by: Duration) {
        self.clock.as_ref().expect("a manual clock").advance(by);
    }

    /// Runs every queued run to its end with `handlers`, one after another; how many ran.
    pub async fn run_pending_jobs(&self, handlers: Handlers) -> usize {
        self.worker(handlers).run_pending().await.unwrap()
    }

    pub fn worker(&self, handlers: Handlers) -> Worker {
        Worker::new(
            self.state.runs.clone(),
            handlers,
            WorkerConfig::default(),
            Arc::clone(&self.state.wake_worker),
        )
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    pub async fn tenant(&self, slug: &str) -> TenantRef {
        let slug = TenantSlug::parse(slug).unwrap();
        self.store()
            .tenant(&slug)
            .await
            .unwrap()
            .expect("a demo tenant")
    }

    /// `count` policies in the tenant's inventory (see [`seed_policies`]); their ids.
    pub async fn seed_policies(&self, slug: &str, count: usize) -> Vec<String> {
        seed_policies(self.store(), slug, count).await
    }

    pub async fn user_id(&self, email: &str) -> UserId {
        let user = self.store().user_by_email(email).await.unwrap();
        user.expect("a demo user").id.parse().unwrap()
    }

    /// A start request for `operation` on contoso by `initiator` (`None`: a system run).
    pub async fn start_request(
        &self,
        operation: OperationType,
        initiator: Option<&str>,
        params: serde_json::Value,
    ) -> StartRun {
        let initiator = match initiator {
            Some(email) => Some(self.user_id(email).await),
            None => None,
        };
        let params = typed_params(operation, params);
        StartRun {
            tenant: self.tenant("contoso").await,
            params,
            initiator,
            slot: None,
        }
    }

    /// Starts `operation` on contoso through the run service (`initiator`: an e-mail, or
    /// `None` for a system run).
    pub async fn start_run(
        &self,
        operation: OperationType,
        initiator: Option<&str>,
        params: serde_json::Value,
    ) -> Started {
        let request = self.start_request(operation, initiator, params).await;
        self.runs().start(request).await.unwrap()
    }

    /// Claims the oldest queued run, lets its lease expire, rescues it and claims it again
    /// (needs the manual clock): the stale handle and the current one.
    pub async fn stale_and_current_claims(&self) -> (ClaimedRun, ClaimedRun) {
        let stale = self.runs().claim().await.unwrap().expect("a queued run");
        self.advance(self.state.runs.config().lease + Duration::from_secs(1));
        assert_eq!(self.runs().rescue_stale().await.unwrap().requeued, 1);
        let current = self.runs().claim().await.unwrap().expect("the rescued run");
        (stale, current)
    }

    /// Starts an operation through the API as the user of `cookie`; returns the run id.
    pub async fn start_via_api(&self, cookie: &str, body: serde_json::Value) -> String {
        let res = self
            .post("/api/t/contoso/operations", Some(cookie), &body)
            .await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
        res.json()["run"]["id"].as_str().unwrap().to_owned()
    }

    /// Every stored run, of any tenant.
    pub async fn run_count(&self) -> i64 {
        self.store().run_count().await.unwrap()
    }

    /// Stored runs with `status`.
    pub async fn runs_with_status(&self, status: &str) -> i64 {
        let counts = self.store().runs_by_type_and_status().await.unwrap();
        counts
            .iter()
            .filter(|c| c.status == status)
            .map(|c| c.count)
            .sum()
    }

    /// Every stored notification, of anyone.
    pub async fn notification_count(&self) -> i64 {
        self.store().notification_count().await.unwrap()
    }

    pub async fn notifications_for_run(&self, run: opsux_core::RunId) -> i64 {
        self.store().notifications_for_run(run).await.unwrap()
    }

    /// Runs one statement past the run service, straight on the database — only to prove what
    /// the schema itself refuses. Written in the SQL both backends accept.
    pub async fn execute_raw(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
        execute_raw(self.store(), sql).await
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    /// Logs in as a demo user and returns the `Cookie` header value.
    pub async fn login(&self, email: &str) -> String {
        self.login_with_origin(email, ORIGIN).await
    }

    pub async fn login_with_origin(&self, email: &str, origin: &str) -> String {
        let mut request = post_json(
            "/api/login",
            None,
            &serde_json::json!({"email": email, "password": demo::DEMO_PASSWORD}),
        );
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
        let res = self.send(request).await;
        assert_eq!(
            res.status,
            StatusCode::OK,
            "login as {email}: {}",
            res.text()
        );
        let set_cookie = res.header("set-cookie").expect("a session cookie");
        set_cookie.split(';').next().unwrap().to_owned()
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Response {
        self.send(get(uri, cookie)).await
    }

    pub async fn post(
        &self,
        uri: &str,
        cookie: Option<&str>,
        body: &serde_json::Value,
    ) -> Response {
        self.send(post_json(uri, cookie, body)).await
    }
}

/// Serves the app on a free loopback port for the rest of the test, as `opsux serve` does.
pub async fn serve(app: &TestApp) -> std::net::SocketAddr {
    serve_with(app, opsux_server::serve::ServeLimits::default()).await
}

/// [`serve`] with other connection limits.
pub async fn serve_with(
    app: &TestApp,
    limits: opsux_server::serve::ServeLimits,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(opsux_server::serve::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    addr
}

/// A fresh, migrated database for one test: see the module comment.
async fn test_store(dir: &tempfile::TempDir) -> Store {
    Store::open(&fresh_database(dir).await).await.unwrap()
}

/// `count` policies in the tenant's inventory, as a sync would store them; their ids.
pub async fn seed_policies(store: &Store, slug: &str, count: usize) -> Vec<String> {
    let slug = TenantSlug::parse(slug).unwrap();
    let tenant = store.tenant(&slug).await.unwrap().expect("a demo tenant");
    let mut ids = Vec::new();
    for n in 0..count {
        let policy = opsux_server::provider::Policy {
            id: format!("{slug}-ext-{n}"),
            kind: "windows10GeneralConfiguration".to_owned(),
            display_name: format!("Seeded policy {n:03}"),
            last_modified: "2026-11-01T10:00:00Z".to_owned(),
            version: 1,
            snapshot: serde_json::json!({"id": format!("{slug}-ext-{n}"), "version": 1}),
        };
        let id = store
            .upsert_policy(tenant.id, &(&policy).into(), 1_000)
            .await;
        ids.push(id.unwrap());
    }
    ids
}

/// The URL of a fresh, empty database for one test, on the backend the module comment
/// describes; a SQLite file goes in `dir`.
pub async fn fresh_database(dir: &tempfile::TempDir) -> String {
    match std::env::var("OPSUX_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let admin = Store::connect(&url).await.unwrap();
            let name = admin.create_scratch_database("opsux_test").await.unwrap();
            admin.close().await;
            with_database(&url, &name)
        }
        _ => format!("sqlite://{}", dir.path().join("opsux.db").display()),
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A state-changing request with a JSON body (or none), carrying our `Origin`.
pub fn with_origin(
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN);
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    match body {
        Some(body) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    }
}

pub fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::get(uri).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    req.body(Body::empty()).unwrap()
}

pub fn post_json(uri: &str, cookie: Option<&str>, body: &serde_json::Value) -> Request<Body> {
    let mut req = Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    req.body(Body::from(body.to_string())).unwrap()
}

/// Runs `sql` as it is on `store` (a test changing rows by hand); how many rows it touched.
pub async fn execute_raw(store: &Store, sql: &'static str) -> Result<u64, sqlx::Error> {
    match store {
        Store::Sqlite(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Store::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

/// `params` checked as `operation`'s, as the HTTP handler checks them. An empty object stands
/// for some valid parameters of the operation, for tests about a run's life rather than its
/// parameters (the same ones each time, so two such starts are identical, R4).
pub fn typed_params(operation: OperationType, params: serde_json::Value) -> OperationParams {
    let params = match params {
        serde_json::Value::Object(map) if map.is_empty() => example_params(operation),
        other => other,
    };
    OperationParams::parse(operation, params.as_object().expect("a JSON object"))
        .expect("the test's parameters are valid for its operation")
}

fn example_params(operation: OperationType) -> serde_json::Value {
    use OperationType as Op;
    match operation {
        Op::InventorySync | Op::EntraGroupSync => serde_json::json!({}),
        Op::BackupScheduleRun | Op::BackupRetention => serde_json::json!({"schedule_id": "s1"}),
        Op::BackupSetAddPolicies | Op::BackupSetRemovePolicies => {
            serde_json::json!({"backup_set_id": "b1", "policy_ids": ["p1"]})
        }
        Op::PolicyExport | Op::PolicyUnignore => serde_json::json!({"policy_ids": ["p1"]}),
        Op::PolicyVersionRestore => serde_json::json!({"policy_version_id": "v1"}),
        Op::RestoreExecute => serde_json::json!({"restore_run_id": "r1"}),
        Op::RestoreRunUnarchive | Op::RestoreRunForceDelete => {
            serde_json::json!({"restore_run_ids": ["r1"]})
        }
        Op::OperationsPrune => serde_json::json!({"older_than_days": 30}),
        Op::External(_) => serde_json::json!({}),
    }
}
