// Connection and time limits (answers in the error envelope), over raw sockets: a client that trickles its headers, or holds
// an idle connection, is cut off after the header timeout; at the connection cap nothing more
// is accepted until a connection closes; a body that does not arrive in time is a 408 and an
// answer that does not come in time a 503, both in the error envelope.
use std::time::Duration;

use opsux_server::serve::ServeLimits;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{OWNER, TestApp, serve, serve_with};

/// Reads until the server closes the connection (or ten seconds pass); what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn slow_or_idle_clients_are_cut_off_after_the_header_timeout() {
    let app = TestApp::new().await;
    let addr = serve_with(
        &app,
        ServeLimits {
            header_timeout: Duration::from_millis(300),
            ..ServeLimits::default()
        },
    )
    .await;
    // Headers trickled and never finished.
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    trickle
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    read_to_close(&mut trickle).await;
    // Connected, and silent.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    read_to_close(&mut silent).await;
    // Answered once, then idle on keep-alive.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn at_the_connection_cap_the_next_waits_for_a_free_slot() {
    let app = TestApp::new().await;
    let addr = serve_with(
        &app,
        ServeLimits {
            max_connections: 2,
            ..ServeLimits::default()
        },
    )
    .await;
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    let mut third = TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut byte)).await;
    assert!(early.is_err(), "not served while two connections are open");
    drop(first);
    let answer = read_to_close(&mut third).await;
    assert!(
        format!("{}{answer}", byte[0] as char).contains("200 OK"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_late_body_is_408_and_a_late_answer_503() {
    let app = TestApp::with(|config| config.request_timeout = Duration::from_millis(300)).await;
    let addr = serve(&app).await;
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(
        b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n\
          Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"email\"",
    )
    .await
    .unwrap();
    let answer = read_to_close(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains(r#"{"error":{"code":"request_timeout","message":"the request body did not arrive in time"}}"#),
        "{answer}"
    );

    // A start waits for its commit; with the writer paused it cannot answer in time.
    let owner = app.login(OWNER).await;
    let paused = app.runs().pause_writes().await;
    let res = app
        .post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "inventory_sync", "params": {}}),
        )
        .await;
    drop(paused);
    assert_eq!(res.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        res.json()["error"]["message"],
        "the server did not answer within 300 ms; try again"
    );
}
