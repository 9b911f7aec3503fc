//! `opsux init`: an empty database becomes a workspace with its first owner.

use serde_json::json;
use uuid::Uuid;

use super::rules::{check_email, check_name, check_password};
use super::{Change, OrgError, hash};
use crate::store::audit::AuditScope;
use crate::store::{Store, accounts, directory};

pub struct NewWorkspace<'a> {
    pub name: &'a str,
    pub owner_email: &'a str,
    /// Shown in the panel; the address's local part when not given.
    pub owner_name: Option<&'a str>,
    pub owner_password: &'a str,
}

/// Makes the workspace and its first owner; refused once a workspace exists.
pub async fn init(store: &Store, change: &Change, new: NewWorkspace<'_>) -> Result<Uuid, OrgError> {
    let name = check_name("workspace", new.name)?;
    let email = check_email(new.owner_email)?;
    let owner_name = match new.owner_name {
        Some(n) => check_name("owner name", n)?,
        None => email.split('@').next().unwrap_or_default().to_owned(),
    };
    check_password(new.owner_password, &email)?;
    if let Some(existing) = store.workspace().await? {
        return Err(exists(&existing.name));
    }
    let password_hash = hash(new.owner_password).await?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    // Again inside the transaction, under a lock: two `init`s at once make one workspace.
    directory::lock_workspaces(&mut conn).await?;
    if directory::has_workspace(&mut conn).await? {
        return Err(exists(&name));
    }
    let (workspace, owner) = (Uuid::now_v7(), Uuid::now_v7());
    accounts::insert_workspace(&mut conn, workspace, &name, change.at_ms).await?;
    accounts::insert_user(
        &mut conn,
        owner,
        &email,
        &owner_name,
        &password_hash,
        change.at_ms,
    )
    .await?;
    let (workspace_id, owner_id) = (workspace.to_string(), owner.to_string());
    directory::insert_workspace_owner(&mut conn, &workspace_id, &owner_id, change.at_ms).await?;
    let scope = AuditScope::Workspace(workspace);
    let after = json!({ "name": name });
    change
        .audit(&mut conn, scope, "workspace.create", None, Some(after))
        .await?;
    let user = json!({ "email": email, "display_name": owner_name });
    change
        .audit(&mut conn, scope, "user.add", None, Some(user))
        .await?;
    let owner = json!({ "email": email });
    change
        .audit(&mut conn, scope, "workspace_owner.add", None, Some(owner))
        .await?;
    tx.commit().await?;
    Ok(workspace)
}

fn exists(name: &str) -> OrgError {
    OrgError::Conflict(format!(
        "a workspace already exists here ({name:?}): `opsux init` sets up an empty database; \
         add tenants and people with `opsux tenant add` and `opsux user add`"
    ))
}
