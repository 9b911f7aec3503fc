//! Tenant API tokens: how another service starts runs on a person's behalf (`runs:start`) and
//! works runs over HTTP (`runs:work`). A token is shown once, when it is made; only the
//! SHA-256 of its secret is stored. It is bound to its tenant, to its scopes and, if given,
//! to a list of operation types; it may expire; revoking it takes effect at the next request.
//! Making and revoking one are audited (R19).

use std::fmt;
use std::str::FromStr;

use opsux_core::OperationType;
use serde_json::json;
use uuid::Uuid;

use super::rules::check_name;
use super::tenants::{no_tenant, parse};
use super::{Change, OrgError};
use crate::auth::{new_token, token_hash};
use crate::store::audit::{Actor, AuditScope};
use crate::store::tokens::{self as stored, NewToken, PresentedToken};
use crate::store::{Store, directory};

/// What every token's secret starts with, so a leaked one is recognisable (secret scanners,
/// logs) and a session cookie is never taken for one.
pub const TOKEN_PREFIX: &str = "opsux_";

/// The longest a token may be made to last.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Start runs, for a member or as system runs.
    RunsStart,
    /// Claim runs and report their progress and end.
    RunsWork,
}

impl TokenScope {
    pub const ALL: [Self; 2] = [Self::RunsStart, Self::RunsWork];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RunsStart => "runs:start",
            Self::RunsWork => "runs:work",
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenScope {
    type Err = OrgError;

    fn from_str(s: &str) -> Result<Self, OrgError> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| {
                OrgError::invalid(
                    "scopes",
                    format!(
                        "{:?} is not a scope; give runs:start, runs:work or both",
                        s.trim()
                    ),
                )
            })
    }
}

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub name: &'a str,
    pub scopes: &'a [TokenScope],
    /// The operation types it may start or work; `None`: every type.
    pub types: Option<&'a [String]>,
    /// Days until it stops working; `None`: until revoked.
    pub expires_days: Option<u32>,
}

/// A token just made, and the one place its secret is ever seen.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub expires_at_ms: Option<i64>,
    pub secret: String,
}

/// A token as its list shows it.
#[derive(Debug, Clone)]
pub struct TokenSummary {
    pub name: String,
    pub scopes: Vec<TokenScope>,
    pub types: Option<Vec<String>>,
    pub created_by: Option<String>,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
}

/// A live token presented with a request: the tenant it belongs to and what it may do there.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub id: String,
    pub tenant_id: Uuid,
    pub workspace_id: Uuid,
    pub tenant_slug: String,
    pub name: String,
    pub scopes: Vec<TokenScope>,
    pub types: Option<Vec<String>>,
}

impl TokenGrant {
    pub fn allows(&self, scope: TokenScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whether it may start or work runs of the operation type `key`.
    pub fn allows_type(&self, key: &str) -> bool {
        self.types
            .as_ref()
            .is_none_or(|types| types.iter().any(|t| t == key))
    }
}

/// Makes a token for the tenant named `slug`.
pub async fn create_token(
    store: &Store,
    change: &Change,
    slug: &str,
    new: &NewApiToken<'_>,
) -> Result<CreatedToken, OrgError> {
    let name = check_name("name", new.name)?;
    if new.scopes.is_empty() {
        return Err(OrgError::invalid(
            "scopes",
            "give at least one scope: runs:start, runs:work",
        ));
    }
    let types = match new.types {
        Some(types) => Some(check_types(store, types).await?),
        None => None,
    };
    let expires_at_ms = match new.expires_days {
        None => None,
        Some(days @ 1..=MAX_TOKEN_DAYS) => Some(change.at_ms + i64::from(days) * 24 * 3_600_000),
        Some(_) => {
            return Err(OrgError::invalid(
                "expires_days",
                format!(
                    "give 1–{MAX_TOKEN_DAYS} days, or none for a token that lasts until revoked"
                ),
            ));
        }
    };
    let scopes = join(new.scopes.iter().map(|s| s.as_str()));
    let types_text = types.as_ref().map(|t| join(t.iter().map(String::as_str)));
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let tenant = directory::tenant_by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    let secret = format!("{TOKEN_PREFIX}{}", new_token());
    let id = Uuid::now_v7();
    let created_by = match &change.actor {
        Actor::Person(user) => Some(user.to_string()),
        Actor::Console { .. } | Actor::System | Actor::Schedule { .. } => None,
    };
    let inserted = stored::insert_token(
        &mut conn,
        &NewToken {
            id,
            tenant_id: &tenant.id,
            name: &name,
            token_hash: &token_hash(&secret),
            scopes: &scopes,
            types: types_text.as_deref(),
            created_by,
            created_at: change.at_ms,
            expires_at: expires_at_ms,
        },
    )
    .await?;
    if !inserted {
        return Err(OrgError::Conflict(format!(
            "{slug} already has a token named {name:?}; revoke it first or pick another name"
        )));
    }
    let after = json!({
        "token": id.to_string(),
        "name": name,
        "scopes": scopes,
        "types": types_text,
        "expires_at": expires_at_ms,
    });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(parse(&tenant.id)?),
            "token.create",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        id,
        name,
        expires_at_ms,
        secret,
    })
}

/// Revokes the live token `name` of the tenant named `slug`: the next request with it is
/// refused.
pub async fn revoke_token(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<(), OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let tenant = directory::tenant_by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    let Some((id, scopes)) =
        stored::revoke_token(&mut conn, &tenant.id, name.trim(), change.at_ms).await?
    else {
        return Err(OrgError::NotFound(format!(
            "{slug} has no token named {:?} (`opsux token list --tenant {slug}` shows them)",
            name.trim()
        )));
    };
    let before = json!({ "token": id, "name": name.trim(), "scopes": scopes });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(parse(&tenant.id)?),
            "token.revoke",
            Some(before),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant's tokens that are not revoked, newest first (expired ones included: their
/// expiry shows).
pub async fn tokens(store: &Store, slug: &str) -> Result<Vec<TokenSummary>, OrgError> {
    let tenant = {
        let mut conn = store.acquire().await?;
        directory::tenant_by_slug(&mut conn.conn(), slug)
            .await?
            .ok_or_else(|| no_tenant(slug))?
    };
    store
        .live_tokens(&tenant.id)
        .await?
        .into_iter()
        .map(|row| {
            Ok(TokenSummary {
                scopes: scopes(&row.scopes)?,
                types: row.types.as_deref().map(split),
                name: row.name,
                created_by: row.created_by_name,
                created_at_ms: row.created_at,
                expires_at_ms: row.expires_at,
            })
        })
        .collect()
}

/// The grant of the token `presented` (a bearer credential as sent), if it is one opsux made
/// and is neither revoked nor expired at `now_ms`.
pub async fn authenticate(
    store: &Store,
    presented: &str,
    now_ms: i64,
) -> Result<Option<TokenGrant>, OrgError> {
    if !presented.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(row) = store
        .presented_token(&token_hash(presented), now_ms)
        .await?
    else {
        return Ok(None);
    };
    grant(row).map(Some)
}

fn grant(row: PresentedToken) -> Result<TokenGrant, OrgError> {
    Ok(TokenGrant {
        tenant_id: parse(&row.tenant_id)?,
        workspace_id: parse(&row.workspace_id)?,
        scopes: scopes(&row.scopes)?,
        types: row.types.as_deref().map(split),
        id: row.id,
        tenant_slug: row.tenant_slug,
        name: row.name,
    })
}

/// The operation types a token is limited to, each a built-in or a registered one, without
/// repeats.
pub(super) async fn check_types(store: &Store, types: &[String]) -> Result<Vec<String>, OrgError> {
    let mut known = Vec::new();
    for key in types.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let op = OperationType::from_str(key)
            .map_err(|err| OrgError::invalid("types", err.to_string()))?;
        if let OperationType::External(key) = op
            && super::registered_type(store, key).await?.is_none()
        {
            return Err(OrgError::invalid(
                "types",
                format!("{key} is not a registered operation type (`opsux operation-type list`)"),
            ));
        }
        if !known.iter().any(|k: &String| k == op.as_str()) {
            known.push(op.as_str().to_owned());
        }
    }
    if known.is_empty() {
        return Err(OrgError::invalid(
            "types",
            "give at least one operation type, or leave the list out for every type",
        ));
    }
    Ok(known)
}

fn scopes(stored: &str) -> Result<Vec<TokenScope>, OrgError> {
    stored
        .split_whitespace()
        .map(|s| {
            s.parse().map_err(|_| {
                OrgError::Internal(anyhow::anyhow!("a stored token has an unknown scope {s:?}"))
            })
        })
        .collect()
}

fn split(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(" ")
}
