//! Adding and renaming tenants. A new tenant's owners are the workspace's owners, so it starts
//! with at least one (R21).

use serde_json::json;
use uuid::Uuid;

use super::rules::{check_name, check_new_slug};
use super::{Change, OrgError, workspace_id};
use crate::store::audit::AuditScope;
use crate::store::{Store, accounts, directory};

/// Adds a tenant; its owners are the workspace's owners.
pub async fn add_tenant(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<Uuid, OrgError> {
    let slug = check_new_slug(slug)?;
    let name = check_name("name", name)?;
    let workspace = workspace_id(store).await?;
    let workspace_uuid = parse(&workspace)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    if directory::tenant_by_slug(&mut conn, slug.as_str())
        .await?
        .is_some()
    {
        return Err(taken(slug.as_str()));
    }
    let id = Uuid::now_v7();
    accounts::insert_tenant(
        &mut conn,
        id,
        workspace_uuid,
        slug.as_str(),
        &name,
        change.at_ms,
    )
    .await
    .map_err(|err| {
        if directory::is_duplicate(&err) {
            taken(slug.as_str())
        } else {
            err.into()
        }
    })?;
    let scope = AuditScope::Tenant(id);
    let after = json!({ "slug": slug.as_str(), "name": name });
    change
        .audit(&mut conn, scope, "tenant.add", None, Some(after))
        .await?;
    for owner in directory::workspace_owner_ids(&mut conn, &workspace).await? {
        directory::set_membership(&mut conn, &owner, &id.to_string(), "owner").await?;
        let email = directory::user_by_id(&mut conn, &owner)
            .await?
            .map(|u| u.email);
        let after = json!({ "email": email, "role": "owner" });
        change
            .audit(&mut conn, scope, "member.grant", None, Some(after))
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Gives the tenant named `slug` a new display name.
pub async fn rename_tenant(
    store: &Store,
    change: &Change,
    slug: &str,
    name: &str,
) -> Result<(), OrgError> {
    let name = check_name("name", name)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let tenant = directory::tenant_by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    directory::lock_tenant(&mut conn, &tenant.id).await?;
    if tenant.name == name {
        return Ok(());
    }
    directory::rename_tenant(&mut conn, &tenant.id, &name).await?;
    let scope = AuditScope::Tenant(parse(&tenant.id)?);
    let (before, after) = (json!({ "name": tenant.name }), json!({ "name": name }));
    change
        .audit(&mut conn, scope, "tenant.rename", Some(before), Some(after))
        .await?;
    tx.commit().await?;
    Ok(())
}

fn taken(slug: &str) -> OrgError {
    OrgError::Conflict(format!("a tenant with the slug {slug:?} exists already"))
}

pub(super) fn no_tenant(slug: &str) -> OrgError {
    OrgError::NotFound(format!(
        "there is no tenant {slug:?} (`opsux tenant list` shows them)"
    ))
}

pub(super) fn parse(id: &str) -> Result<Uuid, OrgError> {
    Uuid::parse_str(id).map_err(|e| OrgError::Internal(anyhow::anyhow!("stored id {id:?}: {e}")))
}
