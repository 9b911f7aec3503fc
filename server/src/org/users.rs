//! People who may sign in: adding them, setting their password, disabling and enabling them.
//! A disabled user's sessions end in the same transaction (R21).

use opsux_core::UserId;
use serde_json::json;
use uuid::Uuid;

use super::rules::{check_email, check_name, check_password};
use super::tenants::parse;
use super::{Change, OrgError, hash, workspace_id};
use crate::store::audit::AuditScope;
use crate::store::directory::UserRow;
use crate::store::{Conn, Store, accounts, directory};

/// Adds a user who signs in with `password`; they see no tenant until granted one.
pub async fn add_user(
    store: &Store,
    change: &Change,
    email: &str,
    name: &str,
    password: &str,
) -> Result<Uuid, OrgError> {
    let email = check_email(email)?;
    let name = check_name("name", name)?;
    check_password(password, &email)?;
    let workspace = parse(&workspace_id(store).await?)?;
    let password_hash = hash(password).await?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    if directory::user_by_email(&mut conn, &email).await?.is_some() {
        return Err(exists(&email));
    }
    let id = Uuid::now_v7();
    accounts::insert_user(&mut conn, id, &email, &name, &password_hash, change.at_ms)
        .await
        .map_err(|err| {
            if directory::is_duplicate(&err) {
                exists(&email)
            } else {
                err.into()
            }
        })?;
    let after = json!({ "email": email, "display_name": name });
    change
        .audit(
            &mut conn,
            AuditScope::Workspace(workspace),
            "user.add",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets the user's password and ends their sessions (everywhere they were signed in) but
/// `keep` (the token hash of the session that asked, when a person changes their own).
pub async fn set_password(
    store: &Store,
    change: &Change,
    email: &str,
    password: &str,
    keep: Option<&str>,
) -> Result<(), OrgError> {
    let workspace = parse(&workspace_id(store).await?)?;
    let user = {
        let mut pooled = store.acquire().await?;
        find(&mut pooled.conn(), email).await?
    };
    check_password(password, &user.email)?;
    let password_hash = hash(password).await?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    directory::lock_user(&mut conn, &user.id).await?;
    directory::set_password_hash(&mut conn, &user.id, &password_hash).await?;
    let ended = directory::delete_sessions_but(&mut conn, &user.id, keep).await?;
    let after = json!({ "email": user.email, "sessions_ended": ended });
    change
        .audit(
            &mut conn,
            AuditScope::Workspace(workspace),
            "user.password_set",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (`true`) or enables the user; `false` when they already were. Disabling ends
/// every session at once and is refused for a tenant's last enabled owner.
pub async fn set_disabled(
    store: &Store,
    change: &Change,
    email: &str,
    disabled: bool,
) -> Result<bool, OrgError> {
    let workspace = parse(&workspace_id(store).await?)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let found = find(&mut conn, email).await?;
    // The tenants they own first, in one order, then the user: a revocation or demotion in
    // one of those tenants (which locks the tenant) waits for this, or this for it, so the
    // two cannot each count the other as the owner who stays (R21).
    for tenant in directory::tenants_owned_by(&mut conn, &found.id).await? {
        directory::lock_tenant(&mut conn, &tenant).await?;
    }
    directory::lock_user(&mut conn, &found.id).await?;
    // Read again under the locks.
    let user = find(&mut conn, email).await?;
    if user.disabled_at.is_some() == disabled {
        return Ok(false);
    }
    if disabled {
        let sole = directory::tenants_only_owned_by(&mut conn, &user.id).await?;
        if !sole.is_empty() {
            return Err(OrgError::Conflict(format!(
                "{} is the last owner of {}: make someone else an owner first",
                user.email,
                sole.join(", ")
            )));
        }
        directory::set_disabled(&mut conn, &user.id, Some(change.at_ms)).await?;
        directory::delete_sessions_of(&mut conn, &user.id).await?;
    } else {
        directory::set_disabled(&mut conn, &user.id, None).await?;
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    let after = json!({ "email": user.email, "disabled": disabled });
    change
        .audit(
            &mut conn,
            AuditScope::Workspace(workspace),
            action,
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends every session of the user ("Sign out everywhere"); how many there were.
pub async fn end_sessions(store: &Store, change: &Change, user: UserId) -> Result<u64, OrgError> {
    let workspace = parse(&workspace_id(store).await?)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let id = user.to_string();
    let ended = directory::delete_sessions_of(&mut conn, &id).await?;
    let email = directory::user_by_id(&mut conn, &id)
        .await?
        .map(|u| u.email);
    let after = json!({ "email": email, "sessions_ended": ended });
    change
        .audit(
            &mut conn,
            AuditScope::Workspace(workspace),
            "user.sessions_ended",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(ended)
}

pub(super) async fn find(conn: &mut Conn<'_>, email: &str) -> Result<UserRow, OrgError> {
    directory::user_by_email(conn, email.trim())
        .await?
        .ok_or_else(|| {
            OrgError::NotFound(format!(
                "there is no user {:?} (`opsux user list` shows them)",
                email.trim()
            ))
        })
}

fn exists(email: &str) -> OrgError {
    OrgError::Conflict(format!(
        "a user with the e-mail address {email:?} exists already"
    ))
}
