// R17 sessions, hardened: sign-in attempts are limited per client address (all of them) and per
// account and address (the failed ones): 429 with `Retry-After` and a message naming the limit,
// in the error envelope. Once failures from one address spend an account's budget the right
// password is refused from there too, so guessing cannot go on by getting lucky, while its owner
// signs in from elsewhere; signing in rightly, however often, spends nothing. `X-Forwarded-For`
// counts only from a trusted proxy.
use std::num::NonZeroU32;

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApp, serve};

fn attempt(email: &str, password: &str) -> serde_json::Value {
    json!({"email": email, "password": password})
}

#[tokio::test]
async fn an_account_gets_a_bounded_number_of_attempts() {
    let app = TestApp::with(|config| {
        config.login_limits.per_account_per_minute = NonZeroU32::new(3).unwrap();
    })
    .await;
    for _ in 0..3 {
        let res = app
            .post("/api/login", None, &attempt("Owner@demo.test ", "guess"))
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text());
    }
    let refused = app
        .post(
            "/api/login",
            None,
            &attempt("owner@demo.test", "opsux-demo"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.header("set-cookie").is_none());
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    let body = refused.json();
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert_eq!(
        body["error"]["message"],
        format!(
            "too many failed sign-ins for this account from this address; try again in {wait} s"
        )
    );
    // Another account is not held up by this one, and right passwords spend nothing.
    for _ in 0..5 {
        app.login("reader@demo.test").await;
    }
}

#[tokio::test]
async fn an_address_gets_a_bounded_number_of_attempts() {
    let app = TestApp::with(|config| {
        config.login_limits.per_address_per_minute = NonZeroU32::new(4).unwrap();
    })
    .await;
    let addr = serve(&app).await;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..6 {
        let res = http
            .post(format!("http://{addr}/api/login"))
            .header("origin", format!("http://{addr}"))
            .json(&attempt(&format!("nobody{n}@demo.test"), "guess"))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(res.headers().contains_key("retry-after"));
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(
                body["error"]["message"].as_str().unwrap().split(';').next(),
                Some("too many sign-in attempts from this address")
            );
        }
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
}

// Guesses sent all at once cannot outrun the account's budget: each waits for a core to hash
// on, and the account is checked again after the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_outrun_the_account_budget() {
    let app = TestApp::with(|config| {
        config.login_limits.per_account_per_minute = NonZeroU32::new(3).unwrap();
    })
    .await;
    let app = std::sync::Arc::new(app);
    let guesses: Vec<_> = (0..24)
        .map(|n| {
            let app = std::sync::Arc::clone(&app);
            tokio::spawn(async move {
                app.post(
                    "/api/login",
                    None,
                    &attempt("owner@demo.test", &format!("guess-{n}")),
                )
                .await
                .status
            })
        })
        .collect();
    let mut wrong = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("a guess answered {other}"),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert!(
        (3..=3 + cores).contains(&wrong),
        "{wrong} guesses were checked; the budget is 3 (and one per core in flight)"
    );
}

/// Signs in over real HTTP as `email`, from `client` as the proxy reports it.
async fn sign_in_from(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    client: &str,
    email: &str,
    password: &str,
) -> StatusCode {
    http.post(format!("http://{addr}/api/login"))
        .header("origin", format!("http://{addr}"))
        .header("x-forwarded-for", client)
        .json(&attempt(email, password))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let app = TestApp::with(|config| {
        config.login_limits.per_account_per_minute = NonZeroU32::new(3).unwrap();
        // The test's requests come through "a proxy" on loopback.
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let addr = serve(&app).await;
    let http = reqwest::Client::new();
    let attacker = "203.0.113.66";
    for _ in 0..3 {
        let status = sign_in_from(&http, addr, attacker, "owner@demo.test", "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // From the attacker's address the account is locked, the right password too…
    let status = sign_in_from(&http, addr, attacker, "owner@demo.test", "opsux-demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // …while its owner, elsewhere, signs in.
    let status = sign_in_from(&http, addr, "198.51.100.7", "owner@demo.test", "opsux-demo").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::with(|config| {
        config.login_limits.per_address_per_minute = NonZeroU32::new(2).unwrap();
    })
    .await;
    let addr = serve(&app).await;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    // A client inventing a new address each time is still the one peer it is.
    for n in 0..3 {
        let client = format!("198.51.100.{n}");
        statuses.push(sign_in_from(&http, addr, &client, "nobody@demo.test", "guess").await);
    }
    assert_eq!(statuses, [401, 401, 429]);
}
