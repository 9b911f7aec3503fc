use axum::http::StatusCode;
use opsux_core::wire::Catalog;

use crate::support::TestApp;

#[tokio::test]
async fn healthz_reports_ok() {
    let app = TestApp::new().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "ok");
}

#[tokio::test]
async fn catalog_is_computed_by_the_contract_crate() {
    let app = TestApp::new().await;
    let res = app.get("/api/catalog", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("application/json"));
    let catalog: Catalog = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(catalog, Catalog::current());
}

#[tokio::test]
async fn catalog_over_a_real_socket() {
    let app = TestApp::new().await;
    let addr = crate::support::serve(&app).await;
    let res = reqwest::get(format!("http://{addr}/api/catalog"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let catalog: Catalog = res.json().await.unwrap();
    assert_eq!(catalog.operation_types.len(), 13);
}
