//! R20 against an endpoint that misbehaves on purpose: a fake Graph served by the test itself
//! redirects the sign-in or the API elsewhere, answers 96 MiB, pages forever, or points its
//! next page at another server. Each ends the step with its own reason, the credentials and
//! the token never reach the other server, and the memory held stays within the body cap.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use opsux_core::ReasonCode;
use opsux_server::provider::{
    Cancel, Credentials, GraphEndpoints, GraphProvider, ProviderConfig, ProviderError,
    ProviderLimits, RetryPolicy, TenantProvider, every_page,
};
use serde_json::json;

const SECRET: &str = "the-tenant-secret";
const POLICIES: &str = "/v1.0/deviceManagement/deviceConfigurations";

/// Serves `router` on a free loopback port; its origin.
async fn serve(router: Router) -> String {
    serve_at(|_| router).await
}

/// Serves the router `make` builds knowing its own origin (to write absolute links, as Graph
/// does); that origin.
async fn serve_at(make: impl FnOnce(&str) -> Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let router = make(&origin);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    origin
}

/// Another server: counts every request that reaches it and what it carried.
#[derive(Clone, Default)]
struct Elsewhere {
    hits: Arc<AtomicUsize>,
    saw_secret_or_token: Arc<AtomicUsize>,
}

impl Elsewhere {
    async fn start(&self) -> String {
        let seen = self.clone();
        serve(
            Router::new().fallback(any(move |headers: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                async move {
                    seen.hits.fetch_add(1, Ordering::SeqCst);
                    let body = String::from_utf8_lossy(&body);
                    if body.contains(SECRET) || headers.contains_key(header::AUTHORIZATION) {
                        seen.saw_secret_or_token.fetch_add(1, Ordering::SeqCst);
                    }
                    Json(json!({"access_token": "stolen", "expires_in": 3600, "value": []}))
                }
            })),
        )
        .await
    }
}

/// A token endpoint that answers as Entra ID does.
async fn token() -> Json<serde_json::Value> {
    Json(json!({"access_token": "a-token", "token_type": "Bearer", "expires_in": 3600}))
}

fn sign_in(router: Router) -> Router {
    router.route("/{directory}/oauth2/v2.0/token", post(token))
}

fn provider(origin: &str, limits: ProviderLimits) -> GraphProvider {
    let config = ProviderConfig {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_total: Duration::from_secs(120),
        },
        limits,
        ..ProviderConfig::default()
    };
    let credentials = Credentials {
        directory_id: "directory".to_owned(),
        client_id: "client".to_owned(),
        client_secret: SECRET.to_owned(),
    };
    GraphProvider::new(GraphEndpoints::at(origin), credentials, &config).unwrap()
}

/// Every page of the policies, as a sync walks them.
async fn all_policies(provider: &GraphProvider) -> Result<usize, ProviderError> {
    let cancel = Cancel::default();
    let items = every_page(provider.limits(), &cancel, |next, step| {
        Box::pin(async move { provider.list_policies(next.as_deref(), &step).await })
    })
    .await?;
    Ok(items.len())
}

fn redirect_to(location: String) -> Response {
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, location)],
    )
        .into_response()
}

#[tokio::test]
async fn a_sign_in_redirected_elsewhere_is_not_followed_and_the_secret_stays() {
    let elsewhere = Elsewhere::default();
    let thief = elsewhere.start().await;
    let origin = serve(Router::new().route(
        "/{directory}/oauth2/v2.0/token",
        post(move || async move { redirect_to(format!("{thief}/steal")) }),
    ))
    .await;
    let err = all_policies(&provider(&origin, ProviderLimits::default()))
        .await
        .unwrap_err();
    assert_eq!(err, ProviderError::Redirected { status: 307 });
    assert_eq!(err.reason_code(), ReasonCode::ProviderRedirected);
    assert_eq!(
        elsewhere.hits.load(Ordering::SeqCst),
        0,
        "nothing reached the other server"
    );
}

#[tokio::test]
async fn an_api_call_redirected_elsewhere_is_not_followed_and_the_token_stays() {
    let elsewhere = Elsewhere::default();
    let thief = elsewhere.start().await;
    let origin = serve(sign_in(Router::new().route(
        POLICIES,
        get(move || async move { redirect_to(format!("{thief}{POLICIES}")) }),
    )))
    .await;
    let err = all_policies(&provider(&origin, ProviderLimits::default()))
        .await
        .unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::ProviderRedirected);
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0);
    assert_eq!(elsewhere.saw_secret_or_token.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_next_page_on_another_server_is_not_requested() {
    let elsewhere = Elsewhere::default();
    let thief = elsewhere.start().await;
    let origin = serve(sign_in(Router::new().route(
        POLICIES,
        get(move || async move {
            Json(json!({"value": [], "@odata.nextLink": format!("{thief}{POLICIES}?page=2")}))
        }),
    )))
    .await;
    let err = all_policies(&provider(&origin, ProviderLimits::default()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another server"), "{err}");
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0);
}

/// One MiB of spaces: the hostile answer is this, again and again, from static memory, so the
/// fake costs the process nothing and what the test measures is the client.
static MEBIBYTE: [u8; 1 << 20] = [b' '; 1 << 20];

/// The peak resident memory of this process so far, in KiB (`VmHWM`).
fn peak_resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_96_mib_answer_fails_at_the_cap_without_being_held() {
    let origin = serve(sign_in(
        Router::new()
            // Streamed without a length: the client must stop reading at the cap.
            .route(
                POLICIES,
                get(|| async {
                    let chunks =
                        (0..96).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(&MEBIBYTE)));
                    Body::from_stream(futures_util::stream::iter(chunks))
                }),
            )
            // Declared: refused before reading.
            .route(
                "/v1.0/groups",
                get(|| async {
                    let body = Body::from_stream(futures_util::stream::iter(
                        (0..96).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(&MEBIBYTE))),
                    ));
                    ([(header::CONTENT_LENGTH, (96u64 << 20).to_string())], body)
                }),
            ),
    ))
    .await;
    let provider = provider(&origin, ProviderLimits::default());
    let before = peak_resident_kib();
    let err = all_policies(&provider).await.unwrap_err();
    let grown_mib = (peak_resident_kib() - before) / 1024;
    assert_eq!(
        err.reason_code(),
        ReasonCode::ProviderResponseTooLarge,
        "{err}"
    );
    assert!(err.to_string().contains("16 MiB"), "{err}");
    println!("peak resident memory grew {grown_mib} MiB reading a 96 MiB answer");
    assert!(grown_mib < 48, "held {grown_mib} MiB for a 16 MiB cap");

    let err = provider
        .list_groups(None, &Cancel::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.reason_code(),
        ReasonCode::ProviderResponseTooLarge,
        "{err}"
    );
}

/// A fake whose every page links to a next one: `/v1.0/deviceManagement/deviceConfigurations`,
/// then `?page=2`, `?page=3`… — or, with `loops`, back to page 2 forever. Counts the pages served.
async fn endless(loops: bool, pause: Duration) -> (String, Arc<AtomicUsize>) {
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    let origin = serve_at(|origin| {
        let origin = origin.to_owned();
        sign_in(Router::new().route(
            POLICIES,
            get(move |Query(query): Query<HashMap<String, u64>>| {
                let count = Arc::clone(&count);
                let origin = origin.clone();
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(pause).await;
                    let page = query.get("page").copied().unwrap_or(1);
                    let next = if loops { 2 } else { page + 1 };
                    Json(json!({
                        "value": [{
                            "id": format!("p{page}"),
                            "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
                            "displayName": format!("Policy {page}"),
                        }],
                        "@odata.nextLink": format!("{origin}{POLICIES}?page={next}"),
                    }))
                }
            }),
        ))
    })
    .await;
    (origin, served)
}

#[tokio::test]
async fn an_endless_chain_of_next_links_ends_at_the_page_cap() {
    let (origin, served) = endless(false, Duration::ZERO).await;
    let provider = provider(&origin, ProviderLimits::default());
    let started = Instant::now();
    let err = all_policies(&provider).await.unwrap_err();
    let took = started.elapsed();
    println!("an endless next-link chain ended after 500 pages in {took:?}");
    assert_eq!(
        err.reason_code(),
        ReasonCode::ProviderResponseTooLarge,
        "{err}"
    );
    assert!(err.to_string().contains("500 pages"), "{err}");
    assert_eq!(served.load(Ordering::SeqCst), 500);
}

#[tokio::test]
async fn a_next_link_sent_twice_ends_the_listing_at_once() {
    let (origin, served) = endless(true, Duration::ZERO).await;
    let err = all_policies(&provider(&origin, ProviderLimits::default()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("sent before"), "{err}");
    assert_eq!(
        served.load(Ordering::SeqCst),
        2,
        "page 1, then page 2 linking to itself: not requested again"
    );
}

#[tokio::test]
async fn the_item_cap_ends_a_listing_too() {
    let (origin, served) = endless(false, Duration::ZERO).await;
    let limits = ProviderLimits {
        max_items: 7,
        ..ProviderLimits::default()
    };
    let err = all_policies(&provider(&origin, limits)).await.unwrap_err();
    assert_eq!(err.reason_code(), ReasonCode::ProviderResponseTooLarge);
    assert!(err.to_string().contains("more than 7 items"), "{err}");
    assert_eq!(served.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn all_the_pages_of_a_listing_share_one_deadline() {
    // Each page alone is quick enough; together they are not.
    let (origin, served) = endless(false, Duration::from_millis(100)).await;
    let limits = ProviderLimits {
        step_timeout: Duration::from_millis(700),
        ..ProviderLimits::default()
    };
    let err = all_policies(&provider(&origin, limits)).await.unwrap_err();
    assert_eq!(err, ProviderError::TimedOut);
    assert_eq!(err.reason_code(), ReasonCode::ProviderTimedOut);
    let pages = served.load(Ordering::SeqCst);
    assert!(
        (2..=8).contains(&pages),
        "{pages} pages within 700 ms of 100 ms each"
    );
}

#[tokio::test]
async fn retries_end_with_the_step_not_with_their_own_budget() {
    let origin = serve(sign_in(Router::new().route(
        POLICIES,
        get(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
            )
        }),
    )))
    .await;
    let config = ProviderConfig {
        retry: RetryPolicy {
            max_attempts: 100,
            max_total: Duration::from_secs(600),
            ..RetryPolicy::default()
        },
        limits: ProviderLimits {
            step_timeout: Duration::from_millis(1500),
            ..ProviderLimits::default()
        },
        ..ProviderConfig::default()
    };
    let credentials = Credentials {
        directory_id: "directory".to_owned(),
        client_id: "client".to_owned(),
        client_secret: SECRET.to_owned(),
    };
    let provider = GraphProvider::new(GraphEndpoints::at(&origin), credentials, &config).unwrap();
    let err = provider
        .list_policies(None, &Cancel::default())
        .await
        .unwrap_err();
    // Two waits of a second cannot fit in the step: it ends after the first or second try.
    assert!(
        matches!(
            err,
            ProviderError::Unavailable {
                status: Some(503),
                attempts: 1..=2
            }
        ),
        "{err:?}"
    );
}

#[test]
fn endpoints_off_the_allow_list_are_refused_before_any_request() {
    let credentials = Credentials {
        directory_id: "directory".to_owned(),
        client_id: "client".to_owned(),
        client_secret: SECRET.to_owned(),
    };
    for endpoints in [
        GraphEndpoints::at("https://graph.evil.example"),
        GraphEndpoints {
            login: "http://login.microsoftonline.com".to_owned(),
            graph: "https://graph.microsoft.com/v1.0".to_owned(),
        },
    ] {
        let err = GraphProvider::new(endpoints, credentials.clone(), &ProviderConfig::default())
            .unwrap_err();
        assert!(
            err.to_string().contains("--provider-host") || err.to_string().contains("https"),
            "{err}"
        );
    }
    let allowed = ProviderConfig {
        origins: opsux_server::provider::ProviderOrigins::allowing(["graph.contoso.example"]),
        ..ProviderConfig::default()
    };
    GraphProvider::new(
        GraphEndpoints::at("https://graph.contoso.example"),
        credentials,
        &allowed,
    )
    .unwrap();
}
