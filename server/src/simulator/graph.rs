//! The Graph-shaped endpoints: sign-in, policies, groups.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::faults::Injected;
use super::{SimTenant, Simulator};

/// Graph's error body.
fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    (status, Json(body)).into_response()
}

pub(super) async fn token(
    State(sim): State<Simulator>,
    Path(directory): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let now = sim.now_ms();
    let (status, latency) = {
        let Some(mut tenant) = sim.tenant(&directory) else {
            let body =
                json!({"error": "invalid_request", "error_description": "Tenant not found."});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        };
        tenant.stats.token_requests += 1;
        let known = &tenant.data.tenant;
        let status = if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            StatusCode::BAD_REQUEST
        } else if form.get("client_id") != Some(&known.client_id)
            || form.get("client_secret") != Some(&known.client_secret)
        {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        tenant.record("POST", "/oauth2/v2.0/token", status.as_u16(), now);
        (status, tenant.faults.latency_ms)
    };
    tokio::time::sleep(Duration::from_millis(latency)).await;
    match status {
        StatusCode::OK => {
            let token = format!("sim.{}", uuid::Uuid::new_v4().simple());
            sim.tokens().insert(token.clone(), directory);
            Json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": token}))
                .into_response()
        }
        StatusCode::UNAUTHORIZED => {
            let body = json!({"error": "invalid_client", "error_description": "Invalid client secret provided."});
            (status, Json(body)).into_response()
        }
        _ => {
            let body = json!({"error": "unsupported_grant_type"});
            (status, Json(body)).into_response()
        }
    }
}

/// The listing query Graph understands (the part the simulator uses).
#[derive(Debug, Deserialize)]
pub(super) struct Paging {
    #[serde(rename = "$top")]
    top: Option<usize>,
    #[serde(rename = "$skiptoken")]
    skip_token: Option<String>,
}

/// Runs one API request for the tenant of the bearer token: injects the tenant's faults, else
/// answers with `answer`, logs it, and waits the tenant's latency outside the lock.
async fn api(
    sim: &Simulator,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    policy: Option<&str>,
    answer: impl FnOnce(&mut SimTenant) -> Response,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let directory = token.and_then(|t| sim.tokens().get(t).cloned());
    let Some(directory) = directory else {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        );
    };
    let now = sim.now_ms();
    let (response, latency) = {
        let Some(mut tenant) = sim.tenant(&directory) else {
            return graph_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Unknown tenant.",
            );
        };
        tenant.stats.graph_requests += 1;
        let SimTenant { faults, rng, .. } = &mut *tenant;
        let response = match faults.inject(policy, rng) {
            Some(Injected::Throttled { retry_after_secs }) => {
                tenant.stats.throttled += 1;
                let mut response = graph_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests; retry later.",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response
            }
            Some(Injected::Unavailable) => {
                tenant.stats.unavailable += 1;
                graph_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The service is temporarily unavailable.",
                )
            }
            Some(Injected::Refused(code, message)) => {
                let status =
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let message = message
                    .as_deref()
                    .unwrap_or("The simulator was told to refuse this.");
                graph_error(status, "InjectedFault", message)
            }
            None => answer(&mut tenant),
        };
        tenant.record(method, path, response.status().as_u16(), now);
        (response, tenant.faults.latency_ms)
    };
    tokio::time::sleep(Duration::from_millis(latency)).await;
    response
}

/// A page of `items` with Graph's `@odata.nextLink` to the next one.
fn page(items: &[Value], paging: &Paging, headers: &HeaderMap, path: &str) -> Response {
    let top = paging.top.unwrap_or(100).clamp(1, 999);
    let Some(skip) = paging
        .skip_token
        .as_deref()
        .map_or(Some(0), |s| s.parse::<usize>().ok())
    else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid $skiptoken.");
    };
    let end = (skip + top).min(items.len());
    let value: Vec<Value> = items.get(skip..end).unwrap_or_default().to_vec();
    let mut body = json!({ "value": value });
    if end < items.len() {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        body["@odata.nextLink"] = json!(format!("http://{host}{path}?$top={top}&$skiptoken={end}"));
    }
    Json(body).into_response()
}

const POLICIES_PATH: &str = "/v1.0/deviceManagement/deviceConfigurations";

pub(super) async fn list_policies(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Response {
    api(&sim, &headers, "GET", POLICIES_PATH, None, |tenant| {
        let items: Vec<Value> = tenant.data.policies.values().cloned().collect();
        page(&items, &paging, &headers, POLICIES_PATH)
    })
    .await
}

fn policy_not_found() -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The policy does not exist.",
    )
}

pub(super) async fn get_policy(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let path = format!("{POLICIES_PATH}/{id}");
    api(
        &sim,
        &headers,
        "GET",
        &path,
        Some(&id),
        |tenant| match tenant.data.policies.get(&id) {
            Some(policy) => Json(policy.clone()).into_response(),
            None => policy_not_found(),
        },
    )
    .await
}

pub(super) async fn update_policy(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("{POLICIES_PATH}/{id}");
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    api(&sim, &headers, "PATCH", &path, Some(&id), |tenant| {
        let Some(policy) = tenant.data.policies.get_mut(&id) else {
            return policy_not_found();
        };
        let Some(changes) = body.as_object() else {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "The body is not an object.",
            );
        };
        let version = policy["version"].as_i64().unwrap_or(0);
        if let Some(fields) = policy.as_object_mut() {
            for (key, value) in changes {
                if !matches!(
                    key.as_str(),
                    "id" | "version" | "createdDateTime" | "lastModifiedDateTime"
                ) {
                    fields.insert(key.clone(), value.clone());
                }
            }
            fields.insert("version".to_owned(), json!(version + 1));
            fields.insert("lastModifiedDateTime".to_owned(), json!(now));
        }
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}

pub(super) async fn list_groups(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Response {
    api(&sim, &headers, "GET", "/v1.0/groups", None, |tenant| {
        page(&tenant.data.groups, &paging, &headers, "/v1.0/groups")
    })
    .await
}
