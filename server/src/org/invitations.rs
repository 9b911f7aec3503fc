//! Invitations: an owner (or the console) invites an e-mail address to a tenant with a role; the
//! link is single-use, expires after 7 days and can be revoked. Accepting makes the account
//! (name and password) when the address has none, or — for an existing account — needs that
//! person signed in; either way they become a member. Each step is audited (R19).

use opsux_core::{Role, UserId};
use serde_json::json;
use uuid::Uuid;

use super::rules::{check_email, check_name, check_password};
use super::tenants::{no_tenant, parse};
use super::{Change, OrgError, hash, workspace_id};
use crate::auth::{new_token, token_hash};
use crate::store::audit::{Actor, AuditScope};
use crate::store::invitations::{self as stored, NewInvitation, OpenInvitation};
use crate::store::{Store, accounts, directory};

/// How long an invitation link can be used.
pub const INVITATION_DAYS: i64 = 7;

/// A new invitation and the one place its token is ever seen: the link's path.
#[derive(Debug, Clone)]
pub struct Invited {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at_ms: i64,
    /// `/invite/{token}`: the panel's page that accepts it.
    pub path: String,
}

/// Invites `email` to the tenant named `slug` with `role`.
pub async fn invite(
    store: &Store,
    change: &Change,
    slug: &str,
    email: &str,
    role: Role,
) -> Result<Invited, OrgError> {
    let email = check_email(email)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let tenant = directory::tenant_by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| no_tenant(slug))?;
    if let Some(user) = directory::user_by_email(&mut conn, &email).await?
        && directory::role_of(&mut conn, &user.id, &tenant.id)
            .await?
            .is_some()
    {
        return Err(OrgError::Conflict(format!(
            "{} is already a member of {slug}",
            user.email
        )));
    }
    let token = new_token();
    let id = Uuid::now_v7();
    let expires_at_ms = change.at_ms + INVITATION_DAYS * 24 * 60 * 60 * 1000;
    let created_by = match &change.actor {
        Actor::Person(user) => Some(user.to_string()),
        Actor::Console { .. } | Actor::System | Actor::Schedule { .. } => None,
    };
    let new = NewInvitation {
        id,
        tenant_id: &tenant.id,
        email: &email,
        role: role.as_str(),
        token_hash: &token_hash(&token),
        created_by,
        created_at: change.at_ms,
        expires_at: expires_at_ms,
    };
    stored::insert_invitation(&mut conn, &new).await?;
    let after = json!({ "email": email, "role": role.as_str(), "invitation": id.to_string() });
    let scope = AuditScope::Tenant(parse(&tenant.id)?);
    change
        .audit(&mut conn, scope, "invitation.create", None, Some(after))
        .await?;
    tx.commit().await?;
    Ok(Invited {
        id,
        email,
        role,
        expires_at_ms,
        path: format!("/invite/{token}"),
    })
}

/// Revokes the tenant's open invitation `id`: its link stops working.
pub async fn revoke_invitation(
    store: &Store,
    change: &Change,
    tenant_id: Uuid,
    id: &str,
) -> Result<(), OrgError> {
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let Some((email, role)) =
        stored::revoke_invitation(&mut conn, &tenant_id.to_string(), id, change.at_ms).await?
    else {
        return Err(OrgError::NotFound(
            "no open invitation with this id (it was accepted, revoked or never existed)"
                .to_owned(),
        ));
    };
    let before = json!({ "email": email, "role": role, "invitation": id });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(tenant_id),
            "invitation.revoke",
            Some(before),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What the person accepting brings: for an address without an account, the account's name
/// and password; for one with an account, being signed in as it.
#[derive(Debug, Clone)]
pub enum Acceptance<'a> {
    NewAccount { name: &'a str, password: &'a str },
    SignedIn(UserId),
}

/// Who accepted, and where they now belong.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub user: UserId,
    pub email: String,
    pub tenant_slug: String,
}

/// The invitation behind `token` if it can still be accepted.
pub async fn open(store: &Store, token: &str, now_ms: i64) -> Result<OpenInvitation, OrgError> {
    store
        .open_invitation(&token_hash(token), now_ms)
        .await?
        .ok_or_else(not_valid)
}

/// Accepts the invitation behind `token`, once.
pub async fn accept(
    store: &Store,
    token: &str,
    acceptance: Acceptance<'_>,
    at_ms: i64,
) -> Result<Accepted, OrgError> {
    let invitation = open(store, token, at_ms).await?;
    let workspace = parse(&workspace_id(store).await?)?;
    let existing = {
        let mut pooled = store.acquire().await?;
        directory::user_by_email(&mut pooled.conn(), &invitation.email).await?
    };
    // The slow part (a password hash) before the transaction.
    let new_account = match (&existing, &acceptance) {
        (None, Acceptance::NewAccount { name, password }) => {
            let name = check_name("name", name)?;
            check_password(password, &invitation.email)?;
            Some((name, hash(password).await?))
        }
        (None, Acceptance::SignedIn(_)) => {
            return Err(OrgError::Conflict(format!(
                "this invitation is for {}, who has no account yet: sign out, then open the \
                 link again to make it",
                invitation.email
            )));
        }
        (Some(user), Acceptance::SignedIn(id)) if user.id == id.to_string() => None,
        (Some(user), _) => {
            return Err(OrgError::Conflict(format!(
                "this invitation is for {}, who has an account: sign in as {} first, then open \
                 the link again",
                user.email, user.email
            )));
        }
    };
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let taken = stored::take_invitation(&mut conn, &token_hash(token), at_ms)
        .await?
        .ok_or_else(not_valid)?;
    let user_id = match (new_account, &existing) {
        (Some((name, password_hash)), _) => {
            let id = Uuid::now_v7();
            accounts::insert_user(&mut conn, id, &taken.email, &name, &password_hash, at_ms)
                .await
                .map_err(|err| {
                    if directory::is_duplicate(&err) {
                        OrgError::Conflict(format!(
                            "{} has an account now: sign in, then open the link again",
                            taken.email
                        ))
                    } else {
                        err.into()
                    }
                })?;
            let change = Change {
                actor: Actor::Person(UserId::from_uuid(id)),
                at_ms,
            };
            let after =
                json!({ "email": taken.email, "display_name": name, "invitation": taken.id });
            change
                .audit(
                    &mut conn,
                    AuditScope::Workspace(workspace),
                    "user.add",
                    None,
                    Some(after),
                )
                .await?;
            id.to_string()
        }
        (None, Some(user)) => user.id.clone(),
        (None, None) => return Err(not_valid()),
    };
    let user = UserId::from_uuid(parse(&user_id)?);
    directory::lock_tenant(&mut conn, &taken.tenant_id).await?;
    // Someone who is a member already keeps their role: an invitation never demotes.
    let role = match directory::role_of(&mut conn, &user_id, &taken.tenant_id).await? {
        Some(kept) => kept,
        None => {
            directory::set_membership(&mut conn, &user_id, &taken.tenant_id, &taken.role).await?;
            taken.role.clone()
        }
    };
    let change = Change {
        actor: Actor::Person(user),
        at_ms,
    };
    // The role they have now, and the one the invitation offered (they differ for someone who
    // was a member already).
    let after = json!({
        "email": taken.email,
        "role": role,
        "invited_as": taken.role,
        "invitation": taken.id,
    });
    change
        .audit(
            &mut conn,
            AuditScope::Tenant(parse(&taken.tenant_id)?),
            "invitation.accept",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(Accepted {
        user,
        email: taken.email,
        tenant_slug: invitation.tenant_slug,
    })
}

fn not_valid() -> OrgError {
    OrgError::NotFound(
        "this invitation link cannot be used: it was used already, revoked, or has expired — \
         ask an owner of the tenant for a new one"
            .to_owned(),
    )
}
