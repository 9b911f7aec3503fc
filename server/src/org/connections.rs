//! A tenant's connection to its provider: the Entra app registration's credentials. They are
//! checked — a sign-in and one page of policies — before they are stored, the secret sealed with
//! the secrets key, and the change audited without it (R19). A stored connection can be checked
//! again (*Test connection*). The command line (`opsux connect`) and the Workspace page both
//! come through here.
//!
//! The check talks to the provider while the person waits, like a sign-in: it changes nothing
//! in the tenant, and retries little, so its answer comes within a request's time.

use std::time::Duration;

use opsux_core::sanitize_message;
use serde_json::json;

use super::tenants::{no_tenant, parse};
use super::{Change, OrgError};
use crate::provider::{
    Cancel, Credentials, GraphEndpoints, GraphProvider, ProviderConfig, RetryPolicy, TenantProvider,
};
use crate::secrets::{SealedField, SecretsKey};
use crate::store::audit::AuditScope;
use crate::store::connections::{Connection, set_connection};
use crate::store::{Store, directory};

/// Microsoft's global cloud: where tokens and Graph are, unless told otherwise.
pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";

/// Credentials as someone gives them.
#[derive(Clone)]
pub struct NewConnection<'a> {
    pub directory_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub login_url: &'a str,
    pub graph_url: &'a str,
}

/// A check's answer: whether the provider took the credentials, and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub ok: bool,
    pub message: String,
}

/// The provider as a check uses it: it waits for a throttled provider briefly, not for the
/// two minutes a run would, and within a request's time.
fn check_config(provider: &ProviderConfig) -> ProviderConfig {
    let mut config = provider.clone();
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
        max_total: Duration::from_secs(5),
    };
    config.limits.step_timeout = config.limits.step_timeout.min(Duration::from_secs(20));
    config
}

/// Checks the credentials (unless `check` is false) and stores them for the tenant `slug`.
pub async fn connect(
    store: &Store,
    provider: &ProviderConfig,
    secrets: &SecretsKey,
    change: &Change,
    slug: &str,
    new: NewConnection<'_>,
    check: bool,
) -> Result<(), OrgError> {
    for (field, value) in [
        ("directory_id", new.directory_id),
        ("client_id", new.client_id),
        ("client_secret", new.client_secret),
    ] {
        if value.trim().is_empty() {
            return Err(OrgError::invalid(field, "required"));
        }
    }
    for (field, url) in [("login_url", new.login_url), ("graph_url", new.graph_url)] {
        if let Some(refusal) = provider.origins.refusal(url) {
            return Err(OrgError::invalid(field, refusal));
        }
    }
    let endpoints = GraphEndpoints {
        login: new.login_url.trim_end_matches('/').to_owned(),
        graph: new.graph_url.trim_end_matches('/').to_owned(),
    };
    let credentials = Credentials {
        directory_id: new.directory_id.trim().to_owned(),
        client_id: new.client_id.trim().to_owned(),
        client_secret: new.client_secret.to_owned(),
    };
    let tenant = {
        let mut pooled = store.acquire().await?;
        directory::tenant_by_slug(&mut pooled.conn(), slug)
            .await?
            .ok_or_else(|| no_tenant(slug))?
    };
    if check {
        let outcome = try_credentials(provider, endpoints.clone(), credentials.clone()).await;
        if !outcome.ok {
            return Err(OrgError::invalid(
                "credentials",
                format!("the credentials were not stored: {}", outcome.message),
            ));
        }
    }
    let tenant_id = parse(&tenant.id)?;
    let connection = Connection {
        directory_id: credentials.directory_id,
        client_id: credentials.client_id,
        secret_sealed: secrets.seal(
            &credentials.client_secret,
            SealedField::client_secret(tenant_id),
        ),
        login_url: endpoints.login,
        graph_url: endpoints.graph,
    };
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    set_connection(&mut conn, tenant_id, &connection, change.at_ms).await?;
    let after = json!({
        "directory_id": connection.directory_id,
        "client_id": connection.client_id,
        "login_url": connection.login_url,
        "graph_url": connection.graph_url,
        "checked": check,
    });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(tenant_id),
            "tenant.connect",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Signs in with the tenant's stored credentials and lists one page of policies.
pub async fn check_connection(
    store: &Store,
    provider: &ProviderConfig,
    secrets: &SecretsKey,
    tenant_id: uuid::Uuid,
) -> Result<Checked, OrgError> {
    let Some(connection) = store.connection(tenant_id).await? else {
        return Ok(Checked {
            ok: false,
            message: "This tenant is not connected to its provider yet.".to_owned(),
        });
    };
    let Ok(secret) = secrets.open(
        &connection.secret_sealed,
        SealedField::client_secret(tenant_id),
    ) else {
        return Ok(Checked {
            ok: false,
            message: "The stored client secret cannot be read with this server's secrets key: \
                      connect the tenant again."
                .to_owned(),
        });
    };
    let endpoints = GraphEndpoints {
        login: connection.login_url,
        graph: connection.graph_url,
    };
    let credentials = Credentials {
        directory_id: connection.directory_id,
        client_id: connection.client_id,
        client_secret: secret,
    };
    Ok(try_credentials(provider, endpoints, credentials).await)
}

async fn try_credentials(
    config: &ProviderConfig,
    endpoints: GraphEndpoints,
    credentials: Credentials,
) -> Checked {
    let provider = match GraphProvider::new(endpoints, credentials, &check_config(config)) {
        Ok(provider) => provider,
        Err(err) => {
            return Checked {
                ok: false,
                message: sanitize_message(&err.to_string()),
            };
        }
    };
    match provider.list_policies(None, &Cancel::default()).await {
        Ok(_) => Checked {
            ok: true,
            message: "Signed in and listed policies.".to_owned(),
        },
        Err(err) => Checked {
            ok: false,
            message: sanitize_message(&err.to_string()),
        },
    }
}
