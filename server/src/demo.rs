//! The demo data set: one workspace, tenants `contoso` and `fabrikam`, and three users who
//! show the access rules — an owner of both, a reader of one, an outsider of both. `serve
//! --demo` connects the two tenants to the Graph simulator it starts, so every operation does
//! its real work against a provider over HTTP.

use anyhow::Context;
use opsux_core::{Role, TenantSlug};
use uuid::Uuid;

use crate::auth::hash_password;
use crate::secrets::{SealedField, SecretsKey};
use crate::simulator::demo_tenants;
use crate::store::connections::Connection;
use crate::store::{Store, accounts, directory};

pub const DEMO_PASSWORD: &str = "opsux-demo";

pub struct DemoUser {
    pub email: &'static str,
    pub display_name: &'static str,
    /// `(tenant slug, role)` memberships.
    pub memberships: &'static [(&'static str, &'static str)],
    /// One of the workspace's owners (adds tenants, sees the Workspace page).
    pub owns_workspace: bool,
}

pub const DEMO_TENANTS: &[(&str, &str)] =
    &[("contoso", "Contoso Ltd."), ("fabrikam", "Fabrikam Inc.")];

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "owner@demo.test",
        display_name: "Olivia Owner",
        memberships: &[("contoso", "owner"), ("fabrikam", "owner")],
        owns_workspace: true,
    },
    DemoUser {
        email: "reader@demo.test",
        display_name: "Riley Reader",
        memberships: &[("contoso", "reader")],
        owns_workspace: false,
    },
    DemoUser {
        email: "outsider@demo.test",
        display_name: "Oscar Outsider",
        memberships: &[],
        owns_workspace: false,
    },
];

/// Creates the demo data set; does nothing if it already exists.
pub async fn seed(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    let contoso = TenantSlug::parse("contoso")?;
    if store.tenant(&contoso).await?.is_some() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    let mut conn = tx.conn();
    let workspace = Uuid::now_v7();
    accounts::insert_workspace(&mut conn, workspace, "Demo workspace", now_ms).await?;
    let mut tenant_ids = Vec::new();
    for (slug, name) in DEMO_TENANTS {
        let id = Uuid::now_v7();
        accounts::insert_tenant(&mut conn, id, workspace, slug, name, now_ms).await?;
        tenant_ids.push((*slug, id));
    }
    let password_hash = hash_password(DEMO_PASSWORD)?;
    for user in DEMO_USERS {
        let id = Uuid::now_v7();
        accounts::insert_user(
            &mut conn,
            id,
            user.email,
            user.display_name,
            &password_hash,
            now_ms,
        )
        .await?;
        if user.owns_workspace {
            let (workspace, id) = (workspace.to_string(), id.to_string());
            directory::insert_workspace_owner(&mut conn, &workspace, &id, now_ms).await?;
        }
        for (slug, role) in user.memberships {
            let tenant = tenant_ids
                .iter()
                .find(|(s, _)| s == slug)
                .map(|(_, id)| *id)
                .context("demo membership names an unknown tenant")?;
            let role = Role::parse(role).context("demo membership names an unknown role")?;
            accounts::insert_membership(&mut conn, id, tenant, role).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Connects the demo tenants to the simulator at `simulator` (`http://host:port`): contoso and
/// fabrikam to its first and second demo tenant, their client secrets sealed with `secrets`.
/// Run at every start, as the simulator's port changes.
pub async fn connect(
    store: &Store,
    secrets: &SecretsKey,
    simulator: &str,
    now_ms: i64,
) -> anyhow::Result<()> {
    for ((slug, _), directory) in DEMO_TENANTS.iter().zip(demo_tenants()) {
        let tenant = store
            .tenant(&TenantSlug::parse(slug)?)
            .await?
            .context("the demo tenants are seeded before they are connected")?;
        let connection = Connection {
            directory_id: directory.directory_id,
            client_id: directory.client_id,
            secret_sealed: secrets.seal(
                &directory.client_secret,
                SealedField::client_secret(tenant.id),
            ),
            login_url: simulator.to_owned(),
            graph_url: format!("{simulator}/v1.0"),
        };
        store.set_connection(tenant.id, &connection, now_ms).await?;
    }
    Ok(())
}
