// The served OpenAPI document describes exactly the API's fixed points.
use std::collections::BTreeSet;

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint_with_its_schemas() {
    let app = TestApp::new().await;
    let res = app.get("/api/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let expected: BTreeSet<String> = [
        "/api/catalog",
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/setup",
        "/api/workspace",
        "/api/workspace/audit-log",
        "/api/workspace/tenants",
        "/api/workspace/tenants/{slug}",
        "/api/workspace/tenants/{slug}/connection",
        "/api/workspace/tenants/{slug}/connection/test",
        "/api/workspace/tenants/{slug}/tokens/{name}",
        "/api/oidc/login",
        "/api/oidc/callback",
        "/api/me/password",
        "/api/me/sessions",
        "/api/me/sessions/end-all",
        "/api/invitations/{token}",
        "/api/invitations/{token}/accept",
        "/api/me/notifications",
        "/api/me/notifications/read-all",
        "/api/me/notifications/stream",
        "/api/me/notifications/{id}/read",
        "/api/t/{tenant}/operations",
        "/api/v1/t/{tenant}/operations",
        "/api/v1/worker/claim",
        "/api/v1/worker/runs/{id}/heartbeat",
        "/api/v1/worker/runs/{id}/progress",
        "/api/v1/worker/runs/{id}/complete",
        "/api/t/{tenant}/operations/active",
        "/api/t/{tenant}/operations/stream",
        "/api/t/{tenant}/operations/{id}",
        "/api/t/{tenant}/operations/{id}/cancel",
        "/api/t/{tenant}/operations/{id}/stream",
        "/api/t/{tenant}/overview",
        "/api/t/{tenant}/policies",
        "/api/t/{tenant}/policies/kinds",
        "/api/t/{tenant}/policies/{id}",
        "/api/t/{tenant}/policies/{id}/versions",
        "/api/t/{tenant}/groups",
        "/api/t/{tenant}/backup-schedules",
        "/api/t/{tenant}/backup-schedules/{id}",
        "/api/t/{tenant}/backup-sets",
        "/api/t/{tenant}/backup-sets/{id}",
        "/api/t/{tenant}/restore-runs",
        "/api/t/{tenant}/restore-runs/{id}",
        "/api/t/{tenant}/restore-runs/{id}/archive",
        "/api/t/{tenant}/audit-log",
        "/api/t/{tenant}/members",
        "/api/t/{tenant}/members/{user_id}",
        "/api/t/{tenant}/invitations",
        "/api/t/{tenant}/invitations/{id}",
        "/api/t/{tenant}/operations/{id}/export",
        "/api/t/{tenant}/exports/{id}/download",
        "/api/t/{tenant}/webhooks",
        "/api/t/{tenant}/webhooks/{name}",
        "/api/t/{tenant}/webhooks/{name}/test",
        "/api/t/{tenant}/webhooks/{name}/resume",
        "/api/t/{tenant}/webhooks/{name}/rotate-secret",
        "/api/t/{tenant}/webhooks/{name}/deliveries/{id}/resend",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(paths, expected);

    let schemas = &doc["components"]["schemas"];
    let summary_status = &schemas["RunSummary"]["properties"]["status"];
    assert!(
        summary_status.to_string().contains("RunStatus"),
        "{summary_status}"
    );
    assert!(schemas["PolicyList"].is_object() && schemas["GroupList"].is_object());
    assert!(schemas["TenantOverview"].is_object(), "{schemas}");
    let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
    assert!(codes.iter().any(|c| c == "not_found"));
    // What opsux sends: the webhooks section, its event schema resolvable.
    let ended = &doc["webhooks"]["run.ended"]["post"];
    assert_eq!(
        ended["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/RunEndedEvent"
    );
    let data = &schemas["RunEndedData"]["properties"];
    for field in [
        "id",
        "tenant",
        "type",
        "label",
        "outcome",
        "initiator",
        "url",
        "failures",
    ] {
        assert!(data[field].is_object(), "{field}: {data}");
    }
    assert!(schemas["WebhookInitiator"].is_object());
    let start = &doc["paths"]["/api/t/{tenant}/operations"]["post"]["responses"];
    assert!(
        start["202"].is_object() && start["422"].is_object(),
        "{start}"
    );
}
