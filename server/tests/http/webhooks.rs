// Issue "How runs ended, for the systems around opsux": a tenant's webhooks as its Webhooks
// page reads and changes them — every member sees them (never a secret), owners add, test,
// rotate and remove, the destination rule refuses private and plain-http URLs naming itself,
// non-members get 404, and each change is in the tenant's audit log.
use axum::http::StatusCode;
use opsux_server::secrets::SecretsKey;
use serde_json::json;

use crate::support::{Response, TestApp, with_origin};

/// `POST path` as the person signed in with `cookie`, from our own origin.
async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Response {
    app.send(with_origin("POST", path, Some(cookie), body.as_ref()))
        .await
}

#[tokio::test]
async fn owners_manage_webhooks_members_see_them_and_private_destinations_are_refused() {
    let app = TestApp::new()
        .await
        .with_secrets(SecretsKey::from_bytes(&[9; 32]));
    let owner = app.login("owner@demo.test").await;
    let reader = app.login("reader@demo.test").await;
    let outsider = app.login("outsider@demo.test").await;
    let add = |cookie: &str, body: serde_json::Value| {
        with_origin("POST", "/api/t/contoso/webhooks", Some(cookie), Some(&body))
    };

    // The destination rule, in the words of the one who typed the URL.
    for (url, why) in [
        ("http://hooks.example.com/in", "https only"),
        ("https://127.0.0.1:9000/in", "not a public internet address"),
        (
            "https://169.254.169.254/latest",
            "not a public internet address",
        ),
        ("https://localhost/in", "not a public internet address"),
        ("https://user:pw@hooks.example.com/in", "credentials"),
    ] {
        let refused = app
            .send(add(&owner, json!({"name": "x", "url": url})))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(refused.text().contains(why), "{url}: {}", refused.text());
    }
    let unknown = app
        .send(add(
            &owner,
            json!({"name": "x", "url": "https://hooks.example.com/in", "secret": "mine"}),
        ))
        .await;
    assert!(unknown.status.is_client_error(), "{}", unknown.text());
    let types = app
        .send(add(
            &owner,
            json!({"name": "x", "url": "https://hooks.example.com/in", "types": ["nope"]}),
        ))
        .await;
    assert_eq!(
        types.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        types.text()
    );

    // An owner adds one: its secret is in this answer only.
    let added = app
        .send(add(
            &owner,
            json!({"name": "tickets", "url": "https://hooks.example.com/in",
                   "only_failed": true, "types": ["backup_schedule_run"]}),
        ))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let added = added.json();
    let secret = added["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{added}");
    assert_eq!(added["webhook"]["only_failed"], true);
    assert_eq!(added["webhook"]["types"], json!(["backup_schedule_run"]));
    let again = app
        .send(add(
            &owner,
            json!({"name": "tickets", "url": "https://hooks.example.com/other"}),
        ))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());

    // Every member sees it, without the secret; a reader changes nothing; others get 404.
    let seen = app.get("/api/t/contoso/webhooks", Some(&reader)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.text().contains("whsec_"), "{}", seen.text());
    assert_eq!(seen.json()["items"][0]["name"], "tickets");
    // Its path may hold the receiving service's token: readers see the origin only.
    assert_eq!(
        seen.json()["items"][0]["url"],
        "https://hooks.example.com/…"
    );
    let owners = app
        .get("/api/t/contoso/webhooks", Some(&owner))
        .await
        .json();
    assert_eq!(owners["items"][0]["url"], "https://hooks.example.com/in");
    let refused = post(&app, &reader, "/api/t/contoso/webhooks/tickets/test", None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.text().contains("owners change its webhooks"),
        "{}",
        refused.text()
    );
    let hidden = app.get("/api/t/contoso/webhooks", Some(&outsider)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // A test event waits for the deliverer; a pending delivery is not sent "again".
    let tested = post(&app, &owner, "/api/t/contoso/webhooks/tickets/test", None).await;
    assert_eq!(tested.status, StatusCode::ACCEPTED, "{}", tested.text());
    let delivery = tested.json()["deliveries"][0].clone();
    assert_eq!(delivery["event"], "webhook.test");
    assert_eq!(delivery["state"], "pending");
    assert_eq!(delivery["attempts"], 0);
    let id = delivery["id"].as_str().unwrap();
    assert!(id.starts_with("msg_"), "{delivery}");
    let resent = post(
        &app,
        &owner,
        &format!("/api/t/contoso/webhooks/tickets/deliveries/{id}/resend"),
        None,
    )
    .await;
    assert_eq!(resent.status, StatusCode::NOT_FOUND, "{}", resent.text());
    let resumed = post(&app, &owner, "/api/t/contoso/webhooks/tickets/resume", None).await;
    assert_eq!(resumed.status, StatusCode::CONFLICT, "not paused");

    // A new secret, shown once; then removed.
    let rotated = post(
        &app,
        &owner,
        "/api/t/contoso/webhooks/tickets/rotate-secret",
        None,
    )
    .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text());
    let new_secret = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);
    let removed = app
        .send(with_origin(
            "DELETE",
            "/api/t/contoso/webhooks/tickets",
            Some(&owner),
            None,
        ))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let seen = app.get("/api/t/contoso/webhooks", Some(&owner)).await;
    assert_eq!(seen.json()["items"], json!([]));
    let trail = app.audit_trail("contoso", &owner).await;
    let owner_name = "Olivia Owner";
    for action in ["webhook.remove", "webhook.rotate_secret", "webhook.add"] {
        assert!(
            trail
                .iter()
                .any(|e| e.starts_with(action) && e.contains(owner_name)),
            "{action}: {trail:?}"
        );
    }
    assert!(!format!("{trail:?}").contains("whsec_"));
    let log = app
        .get("/api/t/contoso/audit-log", Some(&owner))
        .await
        .text();
    assert!(
        log.contains("https://hooks.example.com/…") && !log.contains("hooks.example.com/in"),
        "the audit log keeps the URL's origin only: {log}"
    );
}

/// An app whose operator allows private destinations, with contoso's owner signed in and an
/// endpoint `name` added at `url` (a loopback one): the app, the owner's cookie and the secret.
async fn with_private_endpoint(name: &str, url: &str) -> (TestApp, String, String) {
    let app = TestApp::with(|c| c.webhook_allow_private = true)
        .await
        .with_secrets(SecretsKey::from_bytes(&[9; 32]));
    let owner = app.login("owner@demo.test").await;
    let added = post(
        &app,
        &owner,
        "/api/t/contoso/webhooks",
        Some(json!({"name": name, "url": url})),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let secret = added.json()["secret"].as_str().unwrap().to_owned();
    (app, owner, secret)
}

#[tokio::test]
async fn an_operator_who_allows_private_destinations_may_add_one() {
    let (_, _, secret) = with_private_endpoint("local", "http://127.0.0.1:9000/in").await;
    assert!(secret.starts_with("whsec_"));
}

#[tokio::test]
async fn an_endpoint_failing_for_a_day_is_paused_until_an_owner_resumes_it() {
    use opsux_server::store::webhooks::AttemptResult;
    let (app, owner, _) = with_private_endpoint("down", "http://127.0.0.1:9/in").await;
    let store = app.store();
    let hour = 3_600_000;
    let t0 = 1_800_000_000_000_i64;
    let fail = |retry_at: Option<i64>| AttemptResult::Failed {
        status: Some(503),
        error: None,
        retry_at,
    };
    // Two test events: the first fails now, the second a day and an hour later.
    let mut deliveries = Vec::new();
    for at in [t0, t0 + 25 * hour] {
        let tested = post(&app, &owner, "/api/t/contoso/webhooks/down/test", None).await;
        assert_eq!(tested.status, StatusCode::ACCEPTED);
        let endpoint = store.endpoints_due(i64::MAX / 2, 10, &[]).await.unwrap();
        assert_eq!(endpoint.len(), 1, "the one endpoint has due deliveries");
        let claimed = store
            .claim_deliveries(
                &endpoint[0],
                i64::MAX / 2,
                i64::MAX / 2 + 60_000,
                10,
                "claim",
            )
            .await
            .unwrap();
        assert!(!claimed.is_empty());
        for due in &claimed {
            store
                .record_attempt(&due.id, "claim", &fail(Some(at + 5_000)), at, 24 * hour)
                .await
                .unwrap();
            deliveries.push(due.id.clone());
        }
    }
    let seen = app
        .get("/api/t/contoso/webhooks", Some(&owner))
        .await
        .json();
    let down = &seen["items"][0];
    assert!(down["failing_since"].is_string(), "{down}");
    assert!(
        down["paused_at"].is_string(),
        "paused after 24 h of failures: {down}"
    );
    // Paused: nothing of it is due, whatever the time.
    assert!(
        store
            .endpoints_due(i64::MAX / 2, 10, &[])
            .await
            .unwrap()
            .is_empty()
    );

    // An owner resumes it: its waiting deliveries are due again, its streak forgotten.
    let resumed = post(&app, &owner, "/api/t/contoso/webhooks/down/resume", None).await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.text());
    let resumed = resumed.json();
    assert_eq!(resumed["paused_at"], serde_json::Value::Null);
    assert_eq!(resumed["failing_since"], serde_json::Value::Null);
    assert_eq!(
        store
            .endpoints_due(i64::MAX / 2, 10, &[])
            .await
            .unwrap()
            .len(),
        1
    );
    let trail = app.audit_trail("contoso", &owner).await;
    assert!(
        trail.iter().any(|e| e.starts_with("webhook.resume")),
        "{trail:?}"
    );

    // An attempt whose claim ran out (another took the delivery since) records nothing.
    let endpoint = store.endpoints_due(i64::MAX / 2, 10, &[]).await.unwrap();
    let taken = store
        .claim_deliveries(
            &endpoint[0],
            i64::MAX / 2,
            i64::MAX / 2 + 60_000,
            1,
            "first",
        )
        .await
        .unwrap();
    let retaken = store
        .claim_deliveries(
            &endpoint[0],
            i64::MAX / 2 + 60_000,
            i64::MAX / 2 + 120_000,
            2,
            "second",
        )
        .await
        .unwrap();
    assert!(
        retaken.iter().any(|d| d.id == taken[0].id),
        "the claim ran out"
    );
    store
        .record_attempt(
            &taken[0].id,
            "first",
            &AttemptResult::Delivered { status: 200 },
            t0,
            24 * hour,
        )
        .await
        .unwrap();
    let listed = app
        .get("/api/t/contoso/webhooks", Some(&owner))
        .await
        .json();
    assert!(
        listed["items"][0]["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "pending"),
        "{listed}"
    );
    // Busy endpoints are left out of the due list.
    assert!(
        store
            .endpoints_due(i64::MAX / 2 + 200_000, 10, &endpoint)
            .await
            .unwrap()
            .is_empty()
    );

    // A 2xx ends the streak.
    let endpoint = store
        .endpoints_due(i64::MAX / 2 + 200_000, 10, &[])
        .await
        .unwrap();
    let claimed = store
        .claim_deliveries(
            &endpoint[0],
            i64::MAX / 2 + 300_000,
            i64::MAX / 2 + 360_000,
            1,
            "claim",
        )
        .await
        .unwrap();
    store
        .record_attempt(
            &claimed[0].id,
            "claim",
            &fail(Some(t0 + 26 * hour)),
            t0 + 26 * hour,
            24 * hour,
        )
        .await
        .unwrap();
    let seen = app
        .get("/api/t/contoso/webhooks", Some(&owner))
        .await
        .json();
    assert!(seen["items"][0]["failing_since"].is_string());
    let claimed = store
        .claim_deliveries(
            &endpoint[0],
            i64::MAX / 2 + 300_000,
            i64::MAX / 2 + 360_000,
            1,
            "claim",
        )
        .await
        .unwrap();
    store
        .record_attempt(
            &claimed[0].id,
            "claim",
            &AttemptResult::Delivered { status: 204 },
            t0 + 27 * hour,
            24 * hour,
        )
        .await
        .unwrap();
    let seen = app
        .get("/api/t/contoso/webhooks", Some(&owner))
        .await
        .json();
    assert_eq!(seen["items"][0]["failing_since"], serde_json::Value::Null);
    assert_eq!(seen["items"][0]["paused_at"], serde_json::Value::Null);

    // The prune takes ended test events with the old runs; what waits stays.
    let tenant = app.tenant("contoso").await;
    store.prune_runs(tenant.id, i64::MAX).await.unwrap();
    let seen = app
        .get("/api/t/contoso/webhooks", Some(&owner))
        .await
        .json();
    let left: Vec<&str> = seen["items"][0]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["pending"], "{seen}");
}

/// What a loopback receiver got: each request's id, timestamp, signature and body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String, String, String)>>>;

/// Runs a deliverer on `app`'s database with `clock` until `received` holds `count` requests.
async fn deliver_until(
    app: &TestApp,
    clock: opsux_server::clock::SharedClock,
    received: &Received,
    count: usize,
) {
    use opsux_server::webhooks::{Deliverer, DelivererConfig};
    let deliverer = Deliverer::new(
        app.store().clone(),
        std::sync::Arc::new(SecretsKey::from_bytes(&[9; 32])),
        clock,
        DelivererConfig {
            allow_private: true,
            public_origin: None,
        },
        std::sync::Arc::default(),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(deliverer.run(async {
        let _ = stopped.await;
    }));
    let arrived = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while received.lock().unwrap().len() < count {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    let _ = stop.send(());
    running.await.unwrap();
    assert!(arrived.is_ok(), "{count} deliveries did not arrive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_rotation_deliveries_are_signed_with_both_secrets_for_a_day() {
    use opsux_server::clock::{ManualClock, SystemClock};
    use opsux_server::webhooks::signature::WebhookSecret;
    type Got = Received;
    // A receiver on loopback that keeps each request's id, timestamp, signature and body.
    let received: Got = Got::default();
    let router = axum::Router::new()
        .route(
            "/in",
            axum::routing::post(
                |axum::extract::State(got): axum::extract::State<Got>,
                 headers: axum::http::HeaderMap,
                 body: String| async move {
                    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
                    got.lock().unwrap().push((
                        header("webhook-id"),
                        header("webhook-timestamp"),
                        header("webhook-signature"),
                        body,
                    ));
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/in", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let (app, owner, secret) = with_private_endpoint("r", &url).await;
    let path = "/api/t/contoso/webhooks";
    let old = WebhookSecret::parse(&secret).unwrap();
    let rotated = post(&app, &owner, &format!("{path}/r/rotate-secret"), None).await;
    let new = WebhookSecret::parse(rotated.json()["secret"].as_str().unwrap()).unwrap();

    // Just rotated: both signatures, so a receiver still holding the old secret accepts it.
    post(&app, &owner, &format!("{path}/r/test"), None).await;
    deliver_until(&app, std::sync::Arc::new(SystemClock), &received, 1).await;
    let verifies = |secret: &WebhookSecret, index: usize| {
        let got = received.lock().unwrap();
        let (id, timestamp, signature, body) = &got[index];
        secret.verify(id, timestamp.parse().unwrap(), body.as_bytes(), signature)
    };
    assert_eq!(
        received.lock().unwrap()[0].2.split(' ').count(),
        2,
        "two signatures"
    );
    assert!(verifies(&new, 0) && verifies(&old, 0));

    // A day later, the new secret only.
    post(&app, &owner, &format!("{path}/r/test"), None).await;
    let later = ManualClock::at(time::OffsetDateTime::now_utc() + time::Duration::hours(25));
    deliver_until(&app, later, &received, 2).await;
    assert!(verifies(&new, 1));
    assert!(!verifies(&old, 1), "the old secret no longer signs");
}
