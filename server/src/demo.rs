//! The demo data set: one workspace, tenants `contoso` and `fabrikam`, and three users who
//! show the access rules — an owner of both, a reader of one, an outsider of both.

use anyhow::Context;
use uuid::Uuid;

use crate::auth::hash_password;
use crate::db::Pool;

pub const DEMO_PASSWORD: &str = "opsux-demo";

pub struct DemoUser {
    pub email: &'static str,
    pub display_name: &'static str,
    /// `(tenant slug, role)` memberships.
    pub memberships: &'static [(&'static str, &'static str)],
}

pub const DEMO_TENANTS: &[(&str, &str)] =
    &[("contoso", "Contoso Ltd."), ("fabrikam", "Fabrikam Inc.")];

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "owner@demo.test",
        display_name: "Olivia Owner",
        memberships: &[("contoso", "owner"), ("fabrikam", "owner")],
    },
    DemoUser {
        email: "reader@demo.test",
        display_name: "Riley Reader",
        memberships: &[("contoso", "reader")],
    },
    DemoUser {
        email: "outsider@demo.test",
        display_name: "Oscar Outsider",
        memberships: &[],
    },
];

/// Creates the demo data set; does nothing if it already exists.
pub async fn seed(pool: &Pool, now_ms: i64) -> anyhow::Result<()> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'contoso'")
            .fetch_optional(pool)
            .await?;
    if existing.is_some() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let workspace = Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES (?, 'Demo workspace', ?)")
        .bind(&workspace)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    let mut tenant_ids = Vec::new();
    for (slug, name) in DEMO_TENANTS {
        let id = Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO tenants (id, workspace_id, slug, name, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&workspace)
        .bind(slug)
        .bind(name)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tenant_ids.push((*slug, id));
    }
    let password_hash = hash_password(DEMO_PASSWORD)?;
    for user in DEMO_USERS {
        let id = Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(user.email)
        .bind(user.display_name)
        .bind(&password_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        for (slug, role) in user.memberships {
            let tenant = tenant_ids
                .iter()
                .find(|(s, _)| s == slug)
                .map(|(_, id)| id)
                .context("demo membership names an unknown tenant")?;
            sqlx::query("INSERT INTO memberships (user_id, tenant_id, role) VALUES (?, ?, ?)")
                .bind(&id)
                .bind(tenant)
                .bind(role)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
