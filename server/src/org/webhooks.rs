//! A tenant's webhook endpoints (`opsux webhook …` and the Webhooks page): where its owners
//! want `run.ended` sent, with which filters, signed with which secret. The secret is shown
//! once, when it is made or rotated, and kept sealed with the secrets key. Adding, removing,
//! rotating and resuming are audited (R19).

use serde_json::json;
use uuid::Uuid;

use super::rules::check_name;
use super::tenants::{no_tenant, parse};
use super::tokens::check_types;
use super::{Change, OrgError};
use crate::secrets::{SealedField, SecretsKey};
use crate::store::audit::{Actor, AuditScope};
use crate::store::webhooks::{self as stored, DeliveryRow, EndpointRow, NewEndpoint};
use crate::store::{Conn, Store, directory};
use crate::webhooks::deliverer::secret_field;
use crate::webhooks::destination;
use crate::webhooks::signature::WebhookSecret;

/// Deliveries a list shows per endpoint, at most.
pub const MAX_LISTED_DELIVERIES: i64 = 100;
/// Endpoints one tenant may have: each ended run is one delivery per endpoint.
pub const MAX_ENDPOINTS: i64 = 20;

/// What a new endpoint is for.
#[derive(Debug, Clone)]
pub struct NewWebhook<'a> {
    pub name: &'a str,
    pub url: &'a str,
    /// Only runs that failed or partially succeeded.
    pub only_failed: bool,
    /// Only runs without an initiator (schedules, the system, services).
    pub only_system: bool,
    /// Only runs of these operation types; `None`: every type.
    pub types: Option<&'a [String]>,
}

/// An endpoint just made (or its secret just rotated): the one place its secret is seen.
#[derive(Debug, Clone)]
pub struct WebhookWithSecret {
    pub name: String,
    pub secret: String,
}

/// An endpoint as its list shows it: never its secret.
#[derive(Debug, Clone)]
pub struct WebhookSummary {
    pub name: String,
    pub url: String,
    pub only_failed: bool,
    pub only_system: bool,
    pub types: Option<Vec<String>>,
    pub created_by: Option<String>,
    pub created_at_ms: i64,
    /// Since when every attempt failed, while they do.
    pub failing_since_ms: Option<i64>,
    /// When it was paused for failing 24 h; nothing is sent until it is resumed.
    pub paused_at_ms: Option<i64>,
}

/// One delivery as the list shows it.
pub type DeliverySummary = DeliveryRow;

/// Adds an endpoint to the tenant `slug`. `allow_private` is the asker's setting
/// (`--webhook-allow-private`); every delivery checks the URL again by the sending server's.
pub async fn add_webhook(
    store: &Store,
    secrets: &SecretsKey,
    change: &Change,
    slug: &str,
    new: &NewWebhook<'_>,
    allow_private: bool,
) -> Result<WebhookWithSecret, OrgError> {
    let name = check_name("name", new.name)?;
    let url = new.url.trim();
    if let Some(why) = destination::refusal(url, allow_private) {
        return Err(OrgError::invalid("url", why));
    }
    let types = match new.types {
        Some(types) => Some(check_types(store, types).await?),
        None => None,
    };
    let types_text = types.as_ref().map(|t| format!(",{},", t.join(",")));
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let tenant = directory::tenant_by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    let tenant_id = parse(&tenant.id)?;
    if stored::count_endpoints(&mut conn, &tenant.id).await? >= MAX_ENDPOINTS {
        return Err(OrgError::Conflict(format!(
            "{slug} has {MAX_ENDPOINTS} webhooks, as many as a tenant may; remove one first"
        )));
    }
    let id = Uuid::now_v7();
    let secret = WebhookSecret::generate().map_err(|e| OrgError::Internal(e.into()))?;
    let sealed = seal(secrets, tenant_id, &id.to_string(), &secret);
    let created_by = match &change.actor {
        Actor::Person(user) => Some(user.to_string()),
        Actor::Console { .. } | Actor::System | Actor::Schedule { .. } => None,
    };
    let inserted = stored::insert_endpoint(
        &mut conn,
        &NewEndpoint {
            id,
            tenant_id: &tenant.id,
            name: &name,
            url,
            sealed_secret: &sealed,
            only_failed: new.only_failed,
            only_system: new.only_system,
            types: types_text.as_deref(),
            created_by,
            created_at: change.at_ms,
        },
    )
    .await?;
    if !inserted {
        return Err(OrgError::Conflict(format!(
            "{slug} already has a webhook named {name:?}; remove it first or pick another name"
        )));
    }
    let after = json!({
        "webhook": id.to_string(),
        "name": name,
        // Its origin only: a path may carry the receiving service's token.
        "url": destination::masked(url),
        "only_failed": new.only_failed,
        "only_system": new.only_system,
        "types": types,
    });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(tenant_id),
            "webhook.add",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(WebhookWithSecret {
        name,
        secret: secret.expose(),
    })
}

/// The tenant's endpoints, by name.
pub async fn webhooks(store: &Store, slug: &str) -> Result<Vec<WebhookSummary>, OrgError> {
    let tenant_id = tenant_id(store, slug).await?;
    Ok(store
        .webhook_endpoints(&tenant_id)
        .await?
        .into_iter()
        .map(summary)
        .collect())
}

/// The latest `limit` deliveries of the tenant's endpoint `name`, newest first.
pub async fn deliveries(
    store: &Store,
    slug: &str,
    name: &str,
    limit: i64,
) -> Result<Vec<DeliverySummary>, OrgError> {
    let endpoint = endpoint(store, slug, name).await?;
    Ok(store
        .webhook_deliveries(&endpoint.id, limit.clamp(1, MAX_LISTED_DELIVERIES))
        .await?)
}

/// Removes the tenant's endpoint `name`; what it was still owed is dropped with it.
pub async fn remove_webhook(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<(), OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (tenant_id, endpoint) = endpoint_in(&mut conn, slug, name).await?;
    stored::delete_endpoint(&mut conn, &endpoint.id).await?;
    let before = json!({
        "webhook": endpoint.id,
        "name": endpoint.name,
        "url": destination::masked(&endpoint.url),
    });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(tenant_id),
            "webhook.remove",
            Some(before),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the endpoint `name` a new secret; deliveries are signed with it from the next
/// attempt on, and for a day with the old one too (Standard Webhooks' rotation: a receiver
/// accepts either), so the receiving system can switch without missing one.
pub async fn rotate_secret(
    store: &Store,
    secrets: &SecretsKey,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<WebhookWithSecret, OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (tenant_id, endpoint) = endpoint_in(&mut conn, slug, name).await?;
    let secret = WebhookSecret::generate().map_err(|e| OrgError::Internal(e.into()))?;
    stored::set_secret(
        &mut conn,
        &endpoint.id,
        &seal(secrets, tenant_id, &endpoint.id, &secret),
        change.at_ms,
    )
    .await?;
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(tenant_id),
            "webhook.rotate_secret",
            None,
            Some(json!({ "webhook": endpoint.id, "name": endpoint.name })),
        )
        .await?;
    tx.commit().await?;
    Ok(WebhookWithSecret {
        name: endpoint.name,
        secret: secret.expose(),
    })
}

/// Resumes the paused endpoint `name`: what it missed is sent.
pub async fn resume_webhook(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<(), OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (tenant_id, endpoint) = endpoint_in(&mut conn, slug, name).await?;
    if !stored::resume(&mut conn, &endpoint.id).await? {
        return Err(OrgError::Conflict(format!(
            "the webhook {:?} is not paused",
            endpoint.name
        )));
    }
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(tenant_id),
            "webhook.resume",
            None,
            Some(json!({ "webhook": endpoint.id, "name": endpoint.name })),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `webhook.test` event for the endpoint `name`; its delivery's id.
pub async fn send_test(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<String, OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (_, endpoint) = endpoint_in(&mut conn, slug, name).await?;
    let id = Uuid::now_v7().simple().to_string();
    stored::insert_test_delivery(&mut conn, &endpoint.id, &id, change.at_ms).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sends the endpoint's ended delivery `delivery` again, under its own `webhook-id`.
pub async fn resend(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
    delivery: &str,
) -> Result<(), OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (_, endpoint) = endpoint_in(&mut conn, slug, name).await?;
    let delivery = delivery.trim().trim_start_matches("msg_");
    if !stored::resend(&mut conn, &endpoint.id, delivery, change.at_ms).await? {
        return Err(OrgError::NotFound(format!(
            "the webhook {:?} has no ended delivery {delivery:?} (a pending one is sent anyway)",
            endpoint.name
        )));
    }
    tx.commit().await?;
    Ok(())
}

fn seal(
    secrets: &SecretsKey,
    tenant_id: Uuid,
    endpoint_id: &str,
    secret: &WebhookSecret,
) -> String {
    let field = secret_field(endpoint_id);
    secrets.seal(
        &secret.expose(),
        SealedField {
            tenant_id,
            field: &field,
        },
    )
}

fn summary(row: EndpointRow) -> WebhookSummary {
    WebhookSummary {
        types: row.types.as_deref().map(|t| {
            t.split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        name: row.name,
        url: row.url,
        only_failed: row.only_failed,
        only_system: row.only_system,
        created_by: row.created_by_name,
        created_at_ms: row.created_at,
        failing_since_ms: row.failing_since,
        paused_at_ms: row.paused_at,
    }
}

async fn tenant_id(store: &Store, slug: &str) -> Result<String, OrgError> {
    let mut conn = store.acquire().await?;
    Ok(directory::tenant_by_slug(&mut conn.conn(), slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?
        .id)
}

async fn endpoint(store: &Store, slug: &str, name: &str) -> Result<EndpointRow, OrgError> {
    let mut conn = store.acquire().await?;
    Ok(endpoint_in(&mut conn.conn(), slug, name).await?.1)
}

async fn endpoint_in(
    conn: &mut Conn<'_>,
    slug: &str,
    name: &str,
) -> Result<(Uuid, EndpointRow), OrgError> {
    let tenant = directory::tenant_by_slug(conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    let endpoint = stored::endpoint_by_name(conn, &tenant.id, name.trim())
        .await?
        .ok_or_else(|| {
            OrgError::NotFound(format!(
                "{slug} has no webhook named {:?} (`opsux webhook list --tenant {slug}` shows them)",
                name.trim()
            ))
        })?;
    Ok((parse(&tenant.id)?, endpoint))
}
