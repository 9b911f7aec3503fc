// R22: sign-in with the organisation's OpenID Connect provider, end to end over real HTTP
// against the Graph simulator's provider — the authorization code flow with PKCE, state and
// nonce; a person the workspace knows (by verified e-mail, then by the linked subject) is signed
// in; a stranger is told "no access" and nothing is created; a token signed with another key,
// an expired one, a replayed or foreign callback are refused.
use std::collections::HashMap;

use opsux_server::auth::oidc::OidcConfig;
use opsux_server::simulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, serve};

struct World {
    app: TestApp,
    base: String,
    simulator: String,
    http: reqwest::Client,
}

async fn world() -> World {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let simulator = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Simulator::demo().serve(listener));
    let issuer = format!("{simulator}/oidc");
    let app = TestApp::with(|config| {
        config.oidc = Some(OidcConfig {
            issuer,
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: DEMO_CLIENT_SECRET.to_owned(),
        });
    })
    .await;
    let base = format!("http://{}", serve(&app).await);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    World {
        app,
        base,
        simulator,
        http,
    }
}

/// A cookie's `name=value` from an answer's `Set-Cookie` headers.
fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// A sign-in up to the provider's answer: the callback URL it sends the browser to, and the
/// browser's state cookie.
async fn to_callback(world: &World, email: &str) -> (String, String) {
    let begun = world
        .http
        .get(format!(
            "{}/api/oidc/login?next=/t/contoso/operations",
            world.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(begun.status(), StatusCode::SEE_OTHER);
    let state_cookie = cookie(&begun, "opsux_oidc_state").expect("a state cookie");
    let authorize = location(&begun);
    assert!(
        authorize.starts_with(&format!("{}/oidc/authorize?", world.simulator)),
        "{authorize}"
    );
    let query: HashMap<String, String> = reqwest::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query.contains_key("nonce") && query.contains_key("state"));
    let page = world.http.get(&authorize).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let mut form = query.clone();
    form.insert("email".to_owned(), email.to_owned());
    let approved = world
        .http
        .post(format!("{}/oidc/authorize", world.simulator))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    (location(&approved), state_cookie)
}

async fn callback(world: &World, url: &str, state_cookie: Option<&str>) -> reqwest::Response {
    let mut request = world.http.get(url);
    if let Some(cookie) = state_cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

async fn set_faults(world: &World, faults: serde_json::Value) {
    let res = world
        .http
        .put(format!("{}/_admin/oidc", world.simulator))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

#[tokio::test]
async fn a_known_person_signs_in_with_the_provider_and_lands_where_they_were_going() {
    let world = world().await;
    let (url, state) = to_callback(&world, "Owner@Demo.test").await;
    assert!(
        url.starts_with(&format!("{}/api/oidc/callback?", world.base)),
        "{url}"
    );
    let done = callback(&world, &url, Some(&state)).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/t/contoso/operations");
    let session = cookie(&done, "opsux_session").expect("signed in");
    let me: serde_json::Value = world
        .http
        .get(format!("{}/api/me", world.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email"], "owner@demo.test");

    // The same callback again: its state was used.
    let replayed = callback(&world, &url, Some(&state)).await;
    assert_eq!(location(&replayed), "/login?oidc=failed");
    assert!(cookie(&replayed, "opsux_session").is_none());

    // Linked now: the next sign-in finds them by the provider's subject.
    let (url, state) = to_callback(&world, "owner@demo.test").await;
    let again = callback(&world, &url, Some(&state)).await;
    assert_eq!(location(&again), "/t/contoso/operations");
}

#[tokio::test]
async fn a_stranger_gets_no_access_and_nothing_is_created() {
    let world = world().await;
    let users = world.app.store().user_list().await.unwrap().len();
    let (url, state) = to_callback(&world, "stranger@elsewhere.test").await;
    let refused = callback(&world, &url, Some(&state)).await;
    assert_eq!(location(&refused), "/login?oidc=no-access");
    assert!(cookie(&refused, "opsux_session").is_none());
    assert_eq!(world.app.store().user_list().await.unwrap().len(), users);
}

#[tokio::test]
async fn forged_expired_and_foreign_callbacks_are_refused() {
    let world = world().await;
    for faults in [json!({"wrong_key": true}), json!({"expired": true})] {
        set_faults(&world, faults.clone()).await;
        let (url, state) = to_callback(&world, "owner@demo.test").await;
        let refused = callback(&world, &url, Some(&state)).await;
        assert_eq!(location(&refused), "/login?oidc=failed", "{faults}");
        assert!(cookie(&refused, "opsux_session").is_none(), "{faults}");
    }
    set_faults(&world, json!({})).await;

    // A callback in a browser that did not begin the sign-in (no state cookie, or another's).
    let (url, _) = to_callback(&world, "owner@demo.test").await;
    let foreign = callback(&world, &url, None).await;
    assert_eq!(location(&foreign), "/login?oidc=failed");
    let (_, other_state) = to_callback(&world, "owner@demo.test").await;
    let crossed = callback(&world, &url, Some(&other_state)).await;
    assert_eq!(location(&crossed), "/login?oidc=failed");
}

#[tokio::test]
async fn without_a_provider_there_is_no_such_sign_in() {
    let app = TestApp::new().await;
    let res = app.get("/api/oidc/login", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let setup = app.get("/api/setup", None).await.json();
    assert_eq!(setup["oidc"], false);
}
