//! The operation flows through the real worker against the Graph simulator over HTTP, on
//! either backend (see `support`): honest counts, every ending, one notification per run with
//! an initiator and none for system runs.

#[path = "../support/mod.rs"]
mod support;

mod backup;
mod export;
mod restore;
mod schedule;
mod sync;

use std::sync::Arc;
use std::time::Duration;

use opsux_core::{OperationType, SummaryKey};
use opsux_server::flows::{self, FlowEnv};
use opsux_server::provider::{
    Credentials, GraphEndpoints, GraphProvider, ProviderConfig, RetryPolicy,
};
use opsux_server::runs::RunRecord;
use opsux_server::secrets::{SealedField, SecretsKey};
use opsux_server::simulator::{DemoTenant, Simulator, demo_tenants};
use opsux_server::store::connections::Connection;
use opsux_server::worker::Handlers;
use serde_json::Value;

use support::TestApp;

/// One of a run's counts (0 when absent).
pub(crate) fn count(run: &RunRecord, key: SummaryKey) -> u64 {
    run.summary().summary_counts.get(key).unwrap_or(0)
}

/// A seeded app whose contoso is connected to a simulator serving on loopback.
pub(crate) struct World {
    pub app: TestApp,
    pub simulator: String,
    pub tenant: DemoTenant,
    pub handlers: Handlers,
}

impl World {
    pub(crate) async fn new() -> Self {
        Self::with(TestApp::new().await).await
    }

    /// The world around `app` (for one on a manual clock).
    pub(crate) async fn with(app: TestApp) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let simulator = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(Simulator::demo().serve(listener));
        let tenant = demo_tenants().remove(0);
        let secrets = Arc::new(SecretsKey::from_bytes(&[9; 32]));
        let contoso = app.tenant("contoso").await;
        let connection = Connection {
            directory_id: tenant.directory_id.clone(),
            client_id: tenant.client_id.clone(),
            secret_sealed: secrets.seal(
                &tenant.client_secret,
                SealedField::client_secret(contoso.id),
            ),
            login_url: simulator.clone(),
            graph_url: format!("{simulator}/v1.0"),
        };
        app.store()
            .set_connection(contoso.id, &connection, 0)
            .await
            .unwrap();
        let env = FlowEnv {
            store: app.store().clone(),
            secrets,
            provider: ProviderConfig {
                retry: RetryPolicy {
                    max_attempts: 4,
                    base_delay: Duration::from_millis(10),
                    max_delay: Duration::from_secs(2),
                    max_total: Duration::from_secs(20),
                },
                ..ProviderConfig::default()
            },
            clock: Arc::clone(&app.state.clock),
            exports_dir: app.state.config.exports_dir.clone(),
            runs: Some(app.runs().clone()),
        };
        let handlers = flows::handlers(&env);
        Self {
            app,
            simulator,
            tenant,
            handlers,
        }
    }

    /// Replaces contoso's faults in the simulator.
    pub(crate) async fn faults(&self, faults: Value) {
        let url = format!(
            "{}/_admin/tenants/{}/faults",
            self.simulator, self.tenant.directory_id
        );
        let res = reqwest::Client::new()
            .put(url)
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// Syncs contoso's inventory as a system run; our ids of its policies, in the provider's
    /// order, with the provider's id of each.
    pub(crate) async fn synced_policies(&self) -> Vec<(String, String)> {
        self.app
            .start_run(OperationType::InventorySync, None, serde_json::json!({}))
            .await;
        self.work().await;
        let contoso = self.app.tenant("contoso").await;
        let store = self.app.store();
        let mut ids = Vec::new();
        let (mut page, mut next) = store
            .policies(contoso.id, &Default::default(), None, 200)
            .await
            .unwrap();
        loop {
            for policy in &page {
                ids.push((policy.id.clone(), policy.provider_id.clone()));
            }
            let Some(cursor) = next else { break };
            (page, next) = store
                .policies(contoso.id, &Default::default(), Some(&cursor), 200)
                .await
                .unwrap();
        }
        ids
    }

    /// A provider for contoso's simulated tenant, as the test's own client.
    pub(crate) fn provider(&self) -> GraphProvider {
        GraphProvider::new(
            GraphEndpoints::at(&self.simulator),
            Credentials {
                directory_id: self.tenant.directory_id.clone(),
                client_id: self.tenant.client_id.clone(),
                client_secret: self.tenant.client_secret.clone(),
            },
            &ProviderConfig::default(),
        )
        .unwrap()
    }

    /// Starts `op` on contoso as the owner, runs it to its end, checks it notified once, and
    /// returns the run as stored.
    pub(crate) async fn finished(&self, op: OperationType, params: Value) -> RunRecord {
        let started = self.app.start_run(op, Some(support::OWNER), params).await;
        self.work().await;
        let run = self
            .app
            .runs()
            .get(started.run.id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(self.app.notifications_for_run(run.id()).await, 1, "{op}");
        run
    }

    /// Contoso's audit entries of `action`, newest first (R19).
    pub(crate) async fn audited(&self, action: &str) -> Vec<opsux_core::wire::AuditEntryDto> {
        let contoso = self.app.tenant("contoso").await;
        let scope = opsux_server::store::audit::AuditScope::Tenant(contoso.id);
        let (entries, _) = self.app.store().audit_log(scope, None, 200).await.unwrap();
        entries.into_iter().filter(|e| e.action == action).collect()
    }

    /// Runs every queued run to its end.
    pub(crate) async fn work(&self) {
        self.app.run_pending_jobs(self.handlers.clone()).await;
    }
}
