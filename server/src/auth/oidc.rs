//! Sign-in with the organisation's OpenID Connect provider (Entra ID; R22): the authorization
//! code flow with PKCE, `state` and `nonce`, the ID token's signature checked against the
//! issuer's published keys and its `iss`, `aud` and `exp` checked by `openidconnect`. Requests to
//! the provider go through our own reqwest client, which follows no redirects.
//!
//! The provider's metadata (endpoints and keys) is discovered on first use and kept for an hour,
//! so a provider that is down at start does not stop the server, and rotated keys are picked up.

use std::fmt;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::Mutex;

/// Where the provider is and who we are to it.
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer URL (Entra: `https://login.microsoftonline.com/{tenant}/v2.0`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"…")
            .finish()
    }
}

/// Why a sign-in with the provider did not happen. The detail is for the log; the person is
/// told only that it failed.
#[derive(Debug)]
pub struct OidcError(pub String);

impl fmt::Display for OidcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OidcError {}

fn failed(what: &str, err: impl fmt::Display) -> OidcError {
    OidcError(format!("{what}: {err}"))
}

/// A sign-in sent to the provider: where to send the person, and what to keep until they come
/// back.
#[derive(Debug)]
pub struct Begun {
    pub authorize_url: String,
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
}

/// Who the provider says the person is, from a verified ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// Only an address the provider does not say is unverified.
    pub email: Option<String>,
}

/// The provider, as this process talks to it.
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl fmt::Debug for Oidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Oidc")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

const METADATA_TTL: Duration = Duration::from_secs(60 * 60);

impl Oidc {
    pub fn new(config: OidcConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            config,
            http,
            metadata: Mutex::new(None),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        if let Some((at, metadata)) = self.metadata.lock().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        // Not under the lock: a provider slow to answer holds up only this sign-in.
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| failed("issuer", e))?;
        let client = self.client();
        let metadata = CoreProviderMetadata::discover_async(issuer, &client)
            .await
            .map_err(|e| failed("discovering the provider", e))?;
        *self.metadata.lock().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    /// The provider's client, as discovered, for sign-ins that come back to `redirect`.
    async fn provider_client(&self, redirect: &str) -> Result<ProviderClient, OidcError> {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(redirect.to_owned()).map_err(|e| failed("redirect", e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// The authorize URL for a sign-in that comes back to `redirect`.
    pub async fn begin(&self, redirect: &str) -> Result<Begun, OidcError> {
        let client = self.provider_client(redirect).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Begun {
            authorize_url: url.to_string(),
            state: state.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        })
    }

    /// Exchanges the code the provider sent back, and verifies the ID token it answers with.
    pub async fn finish(
        &self,
        redirect: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let client = self.provider_client(redirect).await?;
        let http = self.client();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| failed("the provider has no token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&http)
            .await
            .map_err(|e| failed("exchanging the code", e))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError("the provider sent no ID token".to_owned()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()))
            .map_err(|e| failed("the ID token", e))?;
        // Only an address the provider vouches for: `email_verified`, or Entra's `xms_edov`
        // (the address's domain is verified in the directory). Entra sends no
        // `email_verified`, and an unverified `email` can be anyone's address.
        let verified =
            claims.email_verified() == Some(true) || domain_verified(&id_token.to_string());
        let email = claims
            .email()
            .filter(|_| verified)
            .map(|e| e.as_str().to_owned());
        Ok(Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email,
        })
    }

    /// The HTTP client `openidconnect` calls: each request's future owns what it uses, so it
    /// is `Send` whatever the caller's lifetimes.
    fn client(&self) -> impl Fn(HttpRequest) -> Pending {
        let http = self.http.clone();
        move |request| Box::pin(send(http.clone(), request))
    }
}

/// Entra's `xms_edov` claim of a token whose signature and claims were verified already: the
/// typed claims do not carry it, so it is read from the payload itself.
fn domain_verified(jwt: &str) -> bool {
    use base64::Engine;
    let Some(payload) = jwt.split('.').nth(1) else {
        return false;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return false;
    };
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    match &claims["xms_edov"] {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::String(s) => s == "1" || s.eq_ignore_ascii_case("true"),
        serde_json::Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// A client made from discovered metadata: its authorize endpoint is known; its token and
/// user-info endpoints are whatever the provider published.
type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

type Pending = std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, reqwest::Error>> + Send>>;

/// One request to the provider; its answer read whole (they are small).
async fn send(http: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    let mut answer = HttpResponse::new(body);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}
