use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{TestApp, get};

async fn app_with_dist() -> TestApp {
    let app = TestApp::new().await;
    let dir = &app.state.config.assets_dir;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>the app</html>").unwrap();
    std::fs::write(dir.join("app-1a2b.js"), "console.log('plain')").unwrap();
    std::fs::write(dir.join("app-1a2b.js.br"), b"brotli bytes").unwrap();
    std::fs::write(dir.join("app-1a2b.js.gz"), b"gzip bytes").unwrap();
    app
}

#[tokio::test]
async fn root_and_deep_links_serve_the_app() {
    let app = app_with_dist().await;
    for path in [
        "/",
        "/t/contoso/operations",
        "/t/contoso/operations/0192f1c4",
    ] {
        let res = app.send(get(path, None)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.text(), "<html>the app</html>", "{path}");
        assert_eq!(res.header("cache-control"), Some("no-cache"), "{path}");
    }
}

#[tokio::test]
async fn precompressed_files_are_served_to_browsers_that_accept_them() {
    let app = app_with_dist().await;
    let cases = [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "console.log('plain')"),
    ];
    for (accept, encoding, body) in cases {
        let req = Request::get("/app-1a2b.js")
            .header("accept-encoding", accept)
            .body(Body::empty())
            .unwrap();
        let res = app.send(req).await;
        assert_eq!(res.status, StatusCode::OK, "{accept}");
        assert_eq!(res.header("content-encoding"), encoding, "{accept}");
        assert_eq!(res.text(), body, "{accept}");
        assert!(res.header("content-type").unwrap().contains("javascript"));
    }
}

#[tokio::test]
async fn without_a_build_pages_are_404_and_the_api_still_works() {
    let app = TestApp::new().await;
    assert_eq!(app.send(get("/", None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(get("/healthz", None)).await.status, StatusCode::OK);
}
