//! [`GraphProvider`]: the tenant provider over Microsoft Graph-shaped HTTP endpoints.
//!
//! OAuth2 client credentials against `{login}/{directory}/oauth2/v2.0/token`, the token cached
//! until a minute before it expires (and fetched anew once if a call answers 401);
//! `@odata.nextLink` paging, followed only on the API's own origin so the bearer token never
//! leaves it; `deviceManagement/deviceConfigurations` for policies and `groups` for groups.
//! Throttling (429), outages (5xx) and connection failures are retried by [`RetryPolicy`].
//! R20 against a hostile endpoint: no redirect is followed (the secret and the token go only
//! where they were configured to), both endpoints must pass [`super::ProviderOrigins`], every
//! body is read within [`ProviderLimits::max_body_bytes`], and each call shares its step's
//! deadline ([`Cancel::within`]).

use std::fmt;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::body::read_json;
use super::retry::{parse_retry_after, wait_unless_cancelled};
use super::{
    Cancel, Group, Page, Policy, ProviderConfig, ProviderError, ProviderLimits, TenantProvider,
};

/// The longest a single request may take, whatever its step has left.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a Graph-shaped service lives: Microsoft's, or the simulator's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEndpoints {
    /// The sign-in root: tokens come from `{login}/{directory}/oauth2/v2.0/token`.
    pub login: String,
    /// The API root, e.g. `https://graph.microsoft.com/v1.0`.
    pub graph: String,
}

impl GraphEndpoints {
    pub fn microsoft() -> Self {
        Self {
            login: "https://login.microsoftonline.com".to_owned(),
            graph: "https://graph.microsoft.com/v1.0".to_owned(),
        }
    }

    /// Both roots on one server (the simulator's layout).
    pub fn at(origin: &str) -> Self {
        let origin = origin.trim_end_matches('/');
        Self {
            login: origin.to_owned(),
            graph: format!("{origin}/v1.0"),
        }
    }
}

/// A tenant's app registration. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The tenant's directory (Entra tenant) id.
    pub directory_id: String,
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("directory_id", &self.directory_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

struct Token {
    value: String,
    renew_at: Instant,
}

/// One tenant's provider over HTTP.
pub struct GraphProvider {
    http: reqwest::Client,
    endpoints: GraphEndpoints,
    /// `scheme://host[:port]` of the API: the only origin a bearer token is sent to.
    api_origin: String,
    credentials: Credentials,
    config: ProviderConfig,
    token: Mutex<Option<Token>>,
}

impl fmt::Debug for GraphProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphProvider")
            .field("endpoints", &self.endpoints)
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct Listing {
    value: Vec<Value>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

impl GraphProvider {
    pub fn new(
        endpoints: GraphEndpoints,
        credentials: Credentials,
        config: &ProviderConfig,
    ) -> Result<Self, ProviderError> {
        for url in [&endpoints.login, &endpoints.graph] {
            if let Some(refusal) = config.origins.refusal(url) {
                return Err(ProviderError::Invalid(refusal));
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("opsux/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        let api = Url::parse(&endpoints.graph)
            .map_err(|_| ProviderError::Invalid("the Graph URL is not a URL".to_owned()))?;
        let api_origin = api.origin().ascii_serialization();
        Ok(Self {
            http,
            endpoints,
            api_origin,
            credentials,
            config: config.clone(),
            token: Mutex::new(None),
        })
    }

    /// The bounds this provider reads and waits within.
    pub fn limits(&self) -> &ProviderLimits {
        &self.config.limits
    }

    /// A request whose timeout is what its step has left, at most [`REQUEST_TIMEOUT`].
    fn request(&self, method: Method, url: Url, cancel: &Cancel) -> reqwest::RequestBuilder {
        let timeout = cancel
            .remaining()
            .map_or(REQUEST_TIMEOUT, |left| left.min(REQUEST_TIMEOUT));
        self.http.request(method, url).timeout(timeout)
    }

    /// A valid access token: the cached one, or a new one.
    async fn token(&self, cancel: &Cancel) -> Result<String, ProviderError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref()
            && Instant::now() < token.renew_at
        {
            return Ok(token.value.clone());
        }
        let url = self.token_url()?;
        let scope = format!("{}/.default", self.api_origin);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.credentials.client_id.as_str()),
            ("client_secret", self.credentials.client_secret.as_str()),
            ("scope", scope.as_str()),
        ];
        let answer = self
            .with_retries(cancel, || {
                self.request(Method::POST, url.clone(), cancel)
                    .form(&form)
                    .send()
            })
            .await
            .map_err(|err| match err {
                // The token endpoint answers a bad client with 400 or 401.
                ProviderError::Invalid(_) | ProviderError::NotFound => ProviderError::AuthFailed,
                other => other,
            })?;
        let token: TokenAnswer = read_json(
            answer,
            self.config.limits.max_body_bytes,
            cancel,
            "the token answer",
        )
        .await?;
        let lifetime = Duration::from_secs(token.expires_in.saturating_sub(60));
        *cached = Some(Token {
            value: token.access_token.clone(),
            renew_at: Instant::now() + lifetime,
        });
        Ok(token.access_token)
    }

    /// A call to the API with the bearer token; a 401 drops the token and tries once more
    /// with a new one (it may have been revoked or expired early).
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        cancel: &Cancel,
    ) -> Result<reqwest::Response, ProviderError> {
        if url.origin().ascii_serialization() != self.api_origin {
            return Err(ProviderError::Invalid(
                "the provider pointed to another server; not following".to_owned(),
            ));
        }
        for fresh_token in [false, true] {
            let token = self.token(cancel).await?;
            let send = || {
                let mut request = self
                    .request(method.clone(), url.clone(), cancel)
                    .bearer_auth(&token);
                if let Some(body) = body {
                    request = request.json(body);
                }
                request.send()
            };
            match self.with_retries(cancel, send).await {
                Err(ProviderError::AuthFailed) if !fresh_token => {
                    *self.token.lock().await = None;
                }
                result => return result,
            }
        }
        Err(ProviderError::AuthFailed)
    }

    /// Sends until the answer is final: success, a refusal, or the retry budget spent on
    /// throttling and outages.
    async fn with_retries<F, Fut>(
        &self,
        cancel: &Cancel,
        send: F,
    ) -> Result<reqwest::Response, ProviderError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = reqwest::Result<reqwest::Response>>,
    {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            if cancel.is_requested() {
                return Err(ProviderError::Cancelled);
            }
            if cancel.is_past_deadline() {
                return Err(ProviderError::TimedOut);
            }
            attempt += 1;
            let (failure, retry_after) = match send().await {
                Ok(answer) if answer.status().is_success() => return Ok(answer),
                Ok(answer) if answer.status().is_redirection() => {
                    return Err(ProviderError::Redirected {
                        status: answer.status().as_u16(),
                    });
                }
                Ok(answer) => {
                    let status = answer.status();
                    if !retryable(status) {
                        let status = status.as_u16();
                        return Err(match ProviderError::from_status(status) {
                            // Only a refusal the status does not explain needs Graph's words.
                            ProviderError::Invalid(_) => {
                                let message = graph_error_message(answer).await;
                                ProviderError::refused(status, message)
                            }
                            error => error,
                        });
                    }
                    let retry_after = answer
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, time::OffsetDateTime::now_utc()));
                    let failure = if status == StatusCode::TOO_MANY_REQUESTS {
                        ProviderError::Throttled { attempts: attempt }
                    } else {
                        ProviderError::Unavailable {
                            status: Some(status.as_u16()),
                            attempts: attempt,
                        }
                    };
                    (failure, retry_after)
                }
                Err(_) if cancel.is_past_deadline() => return Err(ProviderError::TimedOut),
                // No answer: refused, reset or timed out.
                Err(_) => (
                    ProviderError::Unavailable {
                        status: None,
                        attempts: attempt,
                    },
                    None,
                ),
            };
            let retry = &self.config.retry;
            let wait = retry.delay(attempt, retry_after);
            let outlives_step = cancel.remaining().is_some_and(|left| left < wait);
            if !retry.allows(attempt, wait, started) || outlives_step {
                return Err(failure);
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis(), error = %failure, "provider call will be retried");
            wait_unless_cancelled(wait, cancel).await?;
        }
    }

    fn token_url(&self) -> Result<Url, ProviderError> {
        let mut url = Url::parse(&self.endpoints.login)
            .map_err(|_| ProviderError::Invalid("the sign-in URL is not a URL".to_owned()))?;
        url.path_segments_mut()
            .map_err(|()| ProviderError::Invalid("the sign-in URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend([
                self.credentials.directory_id.as_str(),
                "oauth2",
                "v2.0",
                "token",
            ]);
        Ok(url)
    }

    fn api_url(&self, path: &[&str]) -> Result<Url, ProviderError> {
        let mut url = Url::parse(&self.endpoints.graph)
            .map_err(|_| ProviderError::Invalid("the Graph URL is not a URL".to_owned()))?;
        url.path_segments_mut()
            .map_err(|()| ProviderError::Invalid("the Graph URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend(path);
        Ok(url)
    }

    /// The page at `next`, else the first page of `path`.
    async fn listing(
        &self,
        path: &[&str],
        next: Option<&str>,
        cancel: &Cancel,
    ) -> Result<Listing, ProviderError> {
        let url = match next {
            Some(next) => Url::parse(next).map_err(|_| {
                ProviderError::Invalid("the next-page link is not a URL".to_owned())
            })?,
            None => self.api_url(path)?,
        };
        let answer = self.call(Method::GET, url, None, cancel).await?;
        read_json(answer, self.limits().max_body_bytes, cancel, "the listing").await
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::SERVICE_UNAVAILABLE
        || status == StatusCode::BAD_GATEWAY
        || status == StatusCode::GATEWAY_TIMEOUT
}

const POLICIES: [&str; 2] = ["deviceManagement", "deviceConfigurations"];

/// A Graph device configuration as a [`Policy`].
fn policy(object: Value) -> Result<Policy, ProviderError> {
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let invalid = || ProviderError::Invalid("a policy is not what Graph sends".to_owned());
    Ok(Policy {
        id: text("id").ok_or_else(invalid)?,
        kind: text("@odata.type")
            .map(|t| t.trim_start_matches("#microsoft.graph.").to_owned())
            .ok_or_else(invalid)?,
        display_name: text("displayName").ok_or_else(invalid)?,
        last_modified: text("lastModifiedDateTime").unwrap_or_default(),
        version: object.get("version").and_then(Value::as_i64).unwrap_or(0),
        snapshot: object,
    })
}

fn group(object: &Value) -> Result<Group, ProviderError> {
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Group {
        id: text("id").ok_or_else(|| ProviderError::Invalid("a group has no id".to_owned()))?,
        display_name: text("displayName").unwrap_or_default(),
        description: text("description"),
    })
}

impl TenantProvider for GraphProvider {
    fn list_policies<'a>(
        &'a self,
        next: Option<&'a str>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Page<Policy>, ProviderError>> {
        Box::pin(async move {
            let cancel = &cancel.within(self.limits().step_timeout);
            let listing = self.listing(&POLICIES, next, cancel).await?;
            Ok(Page {
                items: listing
                    .value
                    .into_iter()
                    .map(policy)
                    .collect::<Result<_, _>>()?,
                next: listing.next_link,
            })
        })
    }

    fn get_policy<'a>(
        &'a self,
        id: &'a str,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Policy, ProviderError>> {
        Box::pin(async move {
            let cancel = &cancel.within(self.limits().step_timeout);
            let url = self.api_url(&[POLICIES[0], POLICIES[1], id])?;
            let answer = self.call(Method::GET, url, None, cancel).await?;
            let object = read_json(answer, self.limits().max_body_bytes, cancel, "the policy");
            policy(object.await?)
        })
    }

    fn update_policy<'a>(
        &'a self,
        id: &'a str,
        snapshot: &'a Value,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let cancel = &cancel.within(self.limits().step_timeout);
            // Graph refuses writes to its read-only properties; the type stays, as Graph needs
            // it to know which derived type the body is.
            let mut body = snapshot.clone();
            if let Some(fields) = body.as_object_mut() {
                for read_only in ["id", "version", "createdDateTime", "lastModifiedDateTime"] {
                    fields.remove(read_only);
                }
            }
            let url = self.api_url(&[POLICIES[0], POLICIES[1], id])?;
            self.call(Method::PATCH, url, Some(&body), cancel).await?;
            Ok(())
        })
    }

    fn list_groups<'a>(
        &'a self,
        next: Option<&'a str>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Page<Group>, ProviderError>> {
        Box::pin(async move {
            let cancel = &cancel.within(self.limits().step_timeout);
            let listing = self.listing(&["groups"], next, cancel).await?;
            Ok(Page {
                items: listing.value.iter().map(group).collect::<Result<_, _>>()?,
                next: listing.next_link,
            })
        })
    }
}

/// The `error.message` of Graph's error body, if it has one: what the provider says is wrong
/// (a message for people; it is sanitized with the rest of a failure before it is stored).
/// Reads at most 64 KiB of the body: an error is never bigger.
async fn graph_error_message(mut answer: reqwest::Response) -> Option<String> {
    const LONGEST: usize = 500;
    const BODY_LIMIT: usize = 64 * 1024;
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.ok()? {
        if body.len() + chunk.len() > BODY_LIMIT {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    let body: Value = serde_json::from_slice(&body).ok()?;
    let message = body["error"]["message"].as_str()?.trim();
    (!message.is_empty()).then(|| message.chars().take(LONGEST).collect())
}
