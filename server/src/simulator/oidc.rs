//! The simulator's OpenID Connect provider, shaped like Entra ID's: discovery, the signing keys
//! (JWKS), an authorize page where a person types who they are, and a token endpoint that checks
//! the client secret and PKCE and answers with an RS256-signed ID token. So sign-in with Entra is
//! tested end to end offline. Faults (`PUT /_admin/oidc`): sign with a key the JWKS does not
//! hold, or issue tokens that have already expired.
//!
//! The signing keys under `keys/` are the simulator's own, made for it; they protect nothing.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AccessToken, Audience, EmptyAdditionalClaims, EndUserEmail, EndUserName, IssuerUrl,
    JsonWebKeyId, LocalizedClaim, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Simulator;

/// The client the demo registers: `serve --demo` signs in through it.
pub const DEMO_CLIENT_ID: &str = "opsux-demo";
pub const DEMO_CLIENT_SECRET: &str = "opsux-demo-oidc-secret";

const KEY_ID: &str = "sim-1";
static SIGNING_KEY: LazyLock<CoreRsaPrivateSigningKey> =
    LazyLock::new(|| key(include_str!("keys/oidc-signing.pem")));
/// Signs as the real key's id, with other bits: what a forged token looks like.
static IMPOSTOR_KEY: LazyLock<CoreRsaPrivateSigningKey> =
    LazyLock::new(|| key(include_str!("keys/oidc-impostor.pem")));

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(KEY_ID.to_owned())))
        .unwrap_or_else(|err| panic!("the simulator's own signing key parses: {err}"))
}

/// What the provider gets wrong on purpose.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFaults {
    /// Sign ID tokens with a key the JWKS does not publish.
    #[serde(default)]
    pub wrong_key: bool,
    /// Issue ID tokens that expired an hour ago.
    #[serde(default)]
    pub expired: bool,
}

/// The provider's state: codes not yet exchanged, and the faults.
#[derive(Debug, Default)]
pub(super) struct OidcState {
    codes: HashMap<String, Grant>,
    faults: OidcFaults,
}

/// What an authorization code stands for.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    nonce: Option<String>,
    code_challenge: String,
    email: String,
}

/// `http://host:port/oidc`: the issuer, as the client reached it.
fn issuer(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/oidc")
}

pub(super) async fn discovery(headers: HeaderMap) -> Json<serde_json::Value> {
    let issuer = issuer(&headers);
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "email", "email_verified", "name"],
    }))
}

pub(super) async fn jwks() -> Json<CoreJsonWebKeySet> {
    Json(CoreJsonWebKeySet::new(vec![
        SIGNING_KEY.as_verification_key(),
    ]))
}

#[derive(Debug, Deserialize)]
pub(super) struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// The sign-in page: which account to be. Its form posts back here with the same parameters.
pub(super) async fn authorize_page(Query(query): Query<AuthorizeQuery>) -> Response {
    if let Err(why) = check_authorize(&query) {
        return (StatusCode::BAD_REQUEST, why).into_response();
    }
    let hidden = |name: &str, value: &str| {
        format!(
            r#"<input type="hidden" name="{name}" value="{}">"#,
            escape(value)
        )
    };
    let fields = [
        hidden("response_type", &query.response_type),
        hidden("client_id", &query.client_id),
        hidden("redirect_uri", &query.redirect_uri),
        hidden("state", &query.state),
        hidden("nonce", query.nonce.as_deref().unwrap_or_default()),
        hidden(
            "code_challenge",
            query.code_challenge.as_deref().unwrap_or_default(),
        ),
        hidden("code_challenge_method", "S256"),
    ]
    .concat();
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Graph simulator</title></head>
<body><main><h1>Sign in to the simulated directory</h1>
<form method="post" action="authorize">{fields}
<label>E-mail address <input type="email" name="email" required autofocus></label>
<button type="submit">Sign in</button></form></main></body></html>"#
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct Approval {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    email: String,
}

/// The person said who they are: back to the client with a code.
pub(super) async fn approve(State(sim): State<Simulator>, Form(form): Form<Approval>) -> Response {
    let query = AuthorizeQuery {
        response_type: form.response_type,
        client_id: form.client_id,
        redirect_uri: form.redirect_uri,
        state: form.state,
        nonce: form.nonce.filter(|n| !n.is_empty()),
        code_challenge: form.code_challenge,
        code_challenge_method: form.code_challenge_method,
    };
    if let Err(why) = check_authorize(&query) {
        return (StatusCode::BAD_REQUEST, why).into_response();
    }
    let code = format!("{:032x}", fastrand::u128(..));
    let grant = Grant {
        client_id: query.client_id,
        redirect_uri: query.redirect_uri.clone(),
        nonce: query.nonce,
        code_challenge: query.code_challenge.unwrap_or_default(),
        email: form.email.trim().to_owned(),
    };
    sim.oidc().codes.insert(code.clone(), grant);
    let separator = if query.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let state = url_encode(&query.state);
    Redirect::to(&format!(
        "{}{separator}code={code}&state={state}",
        query.redirect_uri
    ))
    .into_response()
}

/// What is wrong with an authorize request, as the 400 says it.
fn check_authorize(query: &AuthorizeQuery) -> Result<(), &'static str> {
    let refuse = Err;
    if query.response_type != "code" {
        return refuse("response_type must be code");
    }
    if query.client_id != DEMO_CLIENT_ID {
        return refuse("unknown client_id");
    }
    if !(query.redirect_uri.starts_with("http://127.0.0.1:")
        || query.redirect_uri.starts_with("http://localhost:"))
    {
        return refuse("redirect_uri must be on loopback");
    }
    if query
        .code_challenge
        .as_deref()
        .unwrap_or_default()
        .is_empty()
        || query.code_challenge_method.as_deref() != Some("S256")
    {
        return refuse("PKCE (S256) is required");
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub(super) struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// The code for tokens: the client authenticates (basic or in the body), the code is used once
/// and only by the client and redirect it was issued to, and the PKCE verifier must match.
pub(super) async fn token(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Form(form): Form<TokenRequest>,
) -> Response {
    let refuse = |error: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response()
    };
    let (client_id, client_secret) = match client_credentials(&headers) {
        Some(pair) => pair,
        None => (
            form.client_id.clone().unwrap_or_default(),
            form.client_secret.clone().unwrap_or_default(),
        ),
    };
    if client_id != DEMO_CLIENT_ID || client_secret != DEMO_CLIENT_SECRET {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    if form.grant_type != "authorization_code" {
        return refuse("unsupported_grant_type");
    }
    let (grant, faults) = {
        let mut oidc = sim.oidc();
        (oidc.codes.remove(&form.code), oidc.faults.clone())
    };
    let Some(grant) = grant else {
        return refuse("invalid_grant");
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if grant.client_id != client_id
        || grant.redirect_uri != form.redirect_uri
        || grant.code_challenge != challenge
    {
        return refuse("invalid_grant");
    }
    match id_token(&issuer(&headers), &grant, &faults) {
        Ok((id_token, access_token)) => Json(serde_json::json!({
            "access_token": access_token.secret(),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token.to_string(),
        }))
        .into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err).into_response(),
    }
}

fn id_token(
    issuer: &str,
    grant: &Grant,
    faults: &OidcFaults,
) -> Result<(CoreIdToken, AccessToken), String> {
    let now = chrono::Utc::now();
    let (issued, expires) = if faults.expired {
        (
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
        )
    } else {
        (now, now + chrono::Duration::minutes(5))
    };
    // A stable subject per address, as a directory gives each account its own.
    let digest = hex(&Sha256::digest(grant.email.to_lowercase()));
    let subject = format!("sim-{}", &digest[..16]);
    let name = grant.email.split('@').next().unwrap_or_default().to_owned();
    let standard = StandardClaims::new(SubjectIdentifier::new(subject))
        .set_email(Some(EndUserEmail::new(grant.email.clone())))
        .set_email_verified(Some(true))
        .set_name(Some(LocalizedClaim::from(EndUserName::new(name))));
    let issuer = IssuerUrl::new(issuer.to_owned()).map_err(|e| e.to_string())?;
    let claims = CoreIdTokenClaims::new(
        issuer,
        vec![Audience::new(grant.client_id.clone())],
        expires,
        issued,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(grant.nonce.clone().map(Nonce::new));
    let key: &CoreRsaPrivateSigningKey = if faults.wrong_key {
        &IMPOSTOR_KEY
    } else {
        &SIGNING_KEY
    };
    let access_token = AccessToken::new(format!("{:032x}", fastrand::u128(..)));
    let token = CoreIdToken::new(
        claims,
        key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&access_token),
        None,
    )
    .map_err(|e| e.to_string())?;
    Ok((token, access_token))
}

pub(super) async fn faults(State(sim): State<Simulator>) -> Json<OidcFaults> {
    Json(sim.oidc().faults.clone())
}

pub(super) async fn set_faults(
    State(sim): State<Simulator>,
    Json(faults): Json<OidcFaults>,
) -> Json<OidcFaults> {
    sim.oidc().faults = faults.clone();
    Json(faults)
}

/// `Authorization: Basic …` as OAuth 2 clients send it (each part form-urlencoded).
fn client_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((url_decode(id), url_decode(secret)))
}

fn url_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// For the page's attribute values.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
