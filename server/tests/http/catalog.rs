use axum::http::StatusCode;
use opsux_core::wire::Catalog;
use opsux_server::state::Config;
use opsux_server::{AppState, app};

use crate::support::{get, router};

#[tokio::test]
async fn healthz_reports_ok() {
    let dir = tempfile::tempdir().unwrap();
    let res = get(&router(dir.path()), "/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "ok");
}

#[tokio::test]
async fn catalog_is_computed_by_the_contract_crate() {
    let dir = tempfile::tempdir().unwrap();
    let res = get(&router(dir.path()), "/api/catalog").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("application/json"));
    let catalog: Catalog = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(catalog, Catalog::current());
}

#[tokio::test]
async fn catalog_over_a_real_socket() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(Config {
        assets_dir: dir.path().to_owned(),
    });
    let server = tokio::spawn(async move { axum::serve(listener, app(state)).await });

    let res = reqwest::get(format!("http://{addr}/api/catalog"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let catalog: Catalog = res.json().await.unwrap();
    assert_eq!(catalog.operation_types.len(), 13);
    server.abort();
}
