use axum::body::Body;
use axum::http::{Request, StatusCode};
use insta::assert_json_snapshot;

use crate::support::{get, router, send};

#[tokio::test]
async fn unknown_api_path_is_a_json_404_not_the_app() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>app</html>").unwrap();
    let res = get(&router(dir.path()), "/api/no-such-thing").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_json_snapshot!(res.json(), @r#"
    {
      "error": {
        "code": "not_found",
        "message": "no such API endpoint"
      }
    }
    "#);
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let dir = tempfile::tempdir().unwrap();
    let req = Request::post("/api/catalog").body(Body::empty()).unwrap();
    let res = send(&router(dir.path()), req).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_json_snapshot!(res.json(), @r#"
    {
      "error": {
        "code": "method_not_allowed",
        "message": "method not allowed on this endpoint"
      }
    }
    "#);
}
