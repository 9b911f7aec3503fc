use axum::body::Body;
use axum::http::{Request, StatusCode};
use insta::assert_json_snapshot;

use crate::support::{HOST, ORIGIN, TestApp};

#[tokio::test]
async fn unknown_api_path_is_a_json_404_not_the_app() {
    let app = TestApp::new().await;
    let res = app.get("/api/no-such-thing", None).await;
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
    let app = TestApp::new().await;
    let req = Request::post("/api/catalog")
        .header("host", HOST)
        .header("origin", ORIGIN)
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
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
