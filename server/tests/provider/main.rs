//! The Graph provider against the Graph simulator, over real HTTP on loopback: paging, the
//! token cache, retries (R20), the reason code of every refusal, cancel during a wait, and the
//! client secret kept out of everything a person or a log could read.

mod hostile;

use std::time::Duration;

use opsux_core::ReasonCode;
use opsux_server::provider::{
    Cancel, Credentials, GraphEndpoints, GraphProvider, ProviderConfig, ProviderError, RetryPolicy,
    TenantProvider,
};
use opsux_server::simulator::{DemoTenant, Simulator, demo_tenants};
use serde_json::{Value, json};

/// The simulator, serving on a free loopback port for the rest of the test.
struct Sim {
    origin: String,
    tenant: DemoTenant,
    admin: reqwest::Client,
}

impl Sim {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(Simulator::demo().serve(listener));
        Self {
            origin,
            tenant: demo_tenants().remove(0),
            admin: reqwest::Client::new(),
        }
    }

    fn credentials(&self) -> Credentials {
        Credentials {
            directory_id: self.tenant.directory_id.clone(),
            client_id: self.tenant.client_id.clone(),
            client_secret: self.tenant.client_secret.clone(),
        }
    }

    /// A provider for the demo tenant whose back-off is short, so tests are quick; a
    /// `Retry-After` is still honoured.
    fn provider(&self, retry: RetryPolicy) -> GraphProvider {
        let config = ProviderConfig {
            retry,
            ..ProviderConfig::default()
        };
        GraphProvider::new(
            GraphEndpoints::at(&self.origin),
            self.credentials(),
            &config,
        )
        .unwrap()
    }

    async fn faults(&self, faults: Value) {
        let url = format!(
            "{}/_admin/tenants/{}/faults",
            self.origin, self.tenant.directory_id
        );
        let res = self.admin.put(url).json(&faults).send().await.unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }

    /// The tenant's counts and request log.
    async fn requests(&self) -> Value {
        let url = format!(
            "{}/_admin/tenants/{}/requests",
            self.origin, self.tenant.directory_id
        );
        self.admin
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Statuses of the API requests (not sign-ins) so far.
    async fn api_statuses(&self) -> Vec<u64> {
        let log = self.requests().await;
        log["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"].as_str().unwrap().starts_with("/v1.0"))
            .map(|r| r["status"].as_u64().unwrap())
            .collect()
    }
}

fn config(retry: RetryPolicy) -> ProviderConfig {
    ProviderConfig {
        retry,
        ..ProviderConfig::default()
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
        max_total: Duration::from_secs(20),
    }
}

#[tokio::test]
async fn lists_every_policy_and_group_across_pages_with_one_sign_in() {
    let sim = Sim::start().await;
    let provider = sim.provider(quick());
    let cancel = Cancel::default();
    let (mut policies, mut pages, mut next) = (Vec::new(), 0, None);
    loop {
        let page = provider
            .list_policies(next.as_deref(), &cancel)
            .await
            .unwrap();
        policies.extend(page.items);
        pages += 1;
        match page.next {
            Some(link) => next = Some(link),
            None => break,
        }
    }
    assert_eq!(policies.len(), sim.tenant.policies);
    assert!(pages > 1, "the listing came in pages");
    let ids: std::collections::HashSet<_> = policies.iter().map(|p| &p.id).collect();
    assert_eq!(ids.len(), policies.len());
    let kinds: std::collections::HashSet<_> = policies.iter().map(|p| p.kind.as_str()).collect();
    assert!(kinds.contains("windows10GeneralConfiguration") && kinds.len() == 5);

    let mut groups = Vec::new();
    let mut next = None;
    loop {
        let page = provider
            .list_groups(next.as_deref(), &cancel)
            .await
            .unwrap();
        groups.extend(page.items);
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    assert_eq!(groups.len(), sim.tenant.groups);
    assert_eq!(
        sim.requests().await["stats"]["token_requests"],
        1,
        "the token is cached"
    );
}

#[tokio::test]
async fn a_throttling_storm_is_waited_out_as_retry_after_says() {
    let sim = Sim::start().await;
    let provider = sim.provider(quick());
    let cancel = Cancel::default();
    let id = provider.list_policies(None, &cancel).await.unwrap().items[0]
        .id
        .clone();
    sim.faults(json!({"throttle_next": 3, "retry_after_secs": 1}))
        .await;
    let policy = provider.get_policy(&id, &cancel).await.unwrap();
    assert_eq!(policy.id, id);

    let log = sim.requests().await;
    let gets: Vec<&Value> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with(&id))
        .collect();
    let statuses: Vec<u64> = gets.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [429, 429, 429, 200]);
    for pair in gets.windows(2) {
        let gap = pair[1]["at_ms"].as_u64().unwrap() - pair[0]["at_ms"].as_u64().unwrap();
        assert!(gap >= 1000, "retried {gap} ms after a Retry-After of 1 s");
    }
}

#[tokio::test]
async fn a_permanent_outage_ends_unavailable_within_the_retry_budget() {
    let sim = Sim::start().await;
    let provider = sim.provider(quick());
    sim.faults(json!({"unavailable": true})).await;
    let err = provider
        .list_policies(None, &Cancel::default())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ProviderError::Unavailable {
            status: Some(503),
            attempts: 4
        }
    );
    assert_eq!(err.reason_code(), ReasonCode::ProviderUnavailable);
    assert_eq!(sim.api_statuses().await, [503, 503, 503, 503]);

    sim.faults(json!({"throttle_next": 10, "retry_after_secs": 0}))
        .await;
    let err = provider
        .list_policies(None, &Cancel::default())
        .await
        .unwrap_err();
    assert_eq!(err, ProviderError::Throttled { attempts: 4 });
    assert_eq!(err.reason_code(), ReasonCode::ProviderThrottled);
}

#[tokio::test]
async fn each_refusal_has_its_reason_code_and_is_not_retried() {
    let sim = Sim::start().await;
    let cancel = Cancel::default();

    let mut wrong = sim.credentials();
    wrong.client_secret = "not-the-secret".to_owned();
    let stranger =
        GraphProvider::new(GraphEndpoints::at(&sim.origin), wrong, &config(quick())).unwrap();
    let err = stranger.list_policies(None, &cancel).await.unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::ProviderAuthFailed);

    let provider = sim.provider(quick());
    let err = provider
        .get_policy("00000000-0000-4000-a000-000000000000", &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::NotFound);

    sim.faults(json!({"status": 403})).await;
    let err = provider.list_groups(None, &cancel).await.unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::PermissionDenied);
    sim.faults(json!({"status": 401})).await;
    let err = provider.list_groups(None, &cancel).await.unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::ProviderAuthFailed);
    // Another refusal says what the provider said.
    sim.faults(json!({"status": 400, "message": "Property 'x' is not valid."}))
        .await;
    let err = provider.list_groups(None, &cancel).await.unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::ValidationFailed);
    assert_eq!(
        err.to_string(),
        "the provider refused the request (400): Property 'x' is not valid."
    );
    // 404, 403, 400 once each; 401 twice (the second with a fresh token); nothing retried.
    assert_eq!(sim.api_statuses().await, [404, 403, 401, 401, 400]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_ends_a_wait_for_the_provider() {
    let sim = Sim::start().await;
    let provider = sim.provider(RetryPolicy {
        max_total: Duration::from_secs(600),
        max_delay: Duration::from_secs(600),
        ..quick()
    });
    sim.faults(json!({"throttle_next": 5, "retry_after_secs": 300}))
        .await;
    let cancel = Cancel::default();
    let call = tokio::spawn({
        let cancel = cancel.clone();
        async move { provider.list_policies(None, &cancel).await.map(|_| ()) }
    });
    tokio::time::timeout(Duration::from_secs(10), async {
        while sim.api_statuses().await.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the first request was throttled");
    cancel.request();
    let result = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the wait ended on cancel, not after Retry-After")
        .unwrap();
    assert_eq!(result, Err(ProviderError::Cancelled));
    assert_eq!(
        ProviderError::Cancelled.reason_code(),
        ReasonCode::CancelledByUser
    );
}

#[tokio::test]
async fn a_snapshot_pushed_back_changes_the_policy() {
    let sim = Sim::start().await;
    let provider = sim.provider(quick());
    let cancel = Cancel::default();
    let before = provider.list_policies(None, &cancel).await.unwrap().items[1].clone();
    let mut snapshot = before.snapshot.clone();
    snapshot["passwordMinimumLength"] = json!(14);
    provider
        .update_policy(&before.id, &snapshot, &cancel)
        .await
        .unwrap();
    let after = provider.get_policy(&before.id, &cancel).await.unwrap();
    assert_eq!(after.snapshot["passwordMinimumLength"], 14);
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.display_name, before.display_name);
}

#[tokio::test]
async fn the_token_never_leaves_for_another_server_and_the_secret_never_shows() {
    let sim = Sim::start().await;
    let provider = sim.provider(quick());
    let cancel = Cancel::default();
    let err = provider
        .list_policies(
            Some("http://elsewhere.example/v1.0/deviceManagement/deviceConfigurations"),
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Invalid(_)), "{err:?}");

    let secret = &sim.tenant.client_secret;
    assert!(!format!("{provider:?}").contains(secret.as_str()));
    assert!(!format!("{:?}", sim.credentials()).contains(secret.as_str()));
    let mut wrong = sim.credentials();
    wrong.client_secret = "wrong-but-secret".to_owned();
    let stranger =
        GraphProvider::new(GraphEndpoints::at(&sim.origin), wrong, &config(quick())).unwrap();
    let err = stranger.list_policies(None, &cancel).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains("wrong-but-secret"));
}
