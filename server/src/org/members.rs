//! Who belongs to a tenant, with which role. A tenant keeps at least one enabled owner: the
//! last one can be neither revoked nor demoted (R21). A revoked member's next request, stream
//! check included, finds no membership: 404 from then on (R16).

use opsux_core::Role;
use serde_json::json;

use super::tenants::{no_tenant, parse};
use super::users::find;
use super::{Change, OrgError};
use crate::store::audit::AuditScope;
use crate::store::directory::{TenantRow, UserRow};
use crate::store::{Conn, Store, directory};

/// What a grant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted {
    Added,
    Changed { from: Role },
    Unchanged,
}

/// Makes the user a member of the tenant with `role`, or changes their role.
pub async fn grant(
    store: &Store,
    change: &Change,
    slug: &str,
    email: &str,
    role: Role,
) -> Result<Granted, OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (tenant, user, before) = membership(&mut conn, slug, email).await?;
    let before = before.and_then(|r| Role::parse(&r));
    if before == Some(role) {
        return Ok(Granted::Unchanged);
    }
    if before == Some(Role::Owner)
        && directory::other_enabled_owners(&mut conn, &tenant.id, &user.id).await? == 0
    {
        return Err(last_owner(&user.email, slug, "demoted"));
    }
    directory::set_membership(&mut conn, &user.id, &tenant.id, role.as_str()).await?;
    let scope = AuditScope::Tenant(parse(&tenant.id)?);
    let after = json!({ "email": user.email, "role": role.as_str() });
    let granted = match before {
        None => {
            change
                .audit(&mut conn, scope, "member.grant", None, Some(after))
                .await?;
            Granted::Added
        }
        Some(from) => {
            let before = json!({ "email": user.email, "role": from.as_str() });
            change
                .audit(
                    &mut conn,
                    scope,
                    "member.role_change",
                    Some(before),
                    Some(after),
                )
                .await?;
            Granted::Changed { from }
        }
    };
    tx.commit().await?;
    Ok(granted)
}

/// Ends the user's membership of the tenant.
pub async fn revoke(
    store: &Store,
    change: &Change,
    slug: &str,
    email: &str,
) -> Result<(), OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let (tenant, user, role) = membership(&mut conn, slug, email).await?;
    let Some(role) = role else {
        return Err(OrgError::NotFound(format!(
            "{} is not a member of {slug}",
            user.email
        )));
    };
    if role == Role::Owner.as_str()
        && directory::other_enabled_owners(&mut conn, &tenant.id, &user.id).await? == 0
    {
        return Err(last_owner(&user.email, slug, "revoked"));
    }
    directory::delete_membership(&mut conn, &user.id, &tenant.id).await?;
    let before = json!({ "email": user.email, "role": role });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(parse(&tenant.id)?),
            "member.revoke",
            Some(before),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant and the user named, with the tenant locked (R21), and the user's role there now.
async fn membership(
    conn: &mut Conn<'_>,
    slug: &str,
    email: &str,
) -> Result<(TenantRow, UserRow, Option<String>), OrgError> {
    let tenant = directory::tenant_by_slug(conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    let user = find(conn, email).await?;
    directory::lock_tenant(conn, &tenant.id).await?;
    let role = directory::role_of(conn, &user.id, &tenant.id).await?;
    Ok((tenant, user, role))
}

fn last_owner(email: &str, slug: &str, what: &str) -> OrgError {
    OrgError::Conflict(format!(
        "{email} is the last owner of {slug} and cannot be {what}: make another member an owner first"
    ))
}
