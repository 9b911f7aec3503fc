//! Sign-ins as the audit log sees them: failures counted per account, not one row per attempt
//! (R19) — a guessing storm must not drown the log — and each person's last sign-in.

use serde_json::json;

use super::tenants::parse;
use super::{Change, OrgError};
use crate::store::audit::{Actor, AuditScope};
use crate::store::{Store, directory};

/// Failures of one account are written to the log at most this often, as one entry with
/// their count. What is still pending is written at the account's next successful sign-in,
/// or by the scheduler once this long has passed, whichever comes first.
pub const RECORD_EVERY_MS: i64 = 10 * 60 * 1000;

/// What brought an account's failures to be looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occasion {
    Failed,
    SignedIn,
    Scheduled,
}

/// A wrong password for `email`. Unknown addresses are not recorded (there is no account to
/// tell an owner about, and the log would become a list of guesses).
pub async fn sign_in_failed(store: &Store, email: &str, at_ms: i64) -> Result<(), OrgError> {
    flush(store, email, at_ms, Occasion::Failed).await
}

/// A successful sign-in: noted as the user's last, and failures still pending are recorded.
pub async fn signed_in(store: &Store, email: &str, at_ms: i64) -> Result<(), OrgError> {
    flush(store, email, at_ms, Occasion::SignedIn).await
}

/// Records every account's failures that have waited [`RECORD_EVERY_MS`], so a burst that
/// stops is still in the log. The scheduler calls it on each tick; how many were recorded.
pub async fn record_pending_failures(store: &Store, at_ms: i64) -> Result<usize, OrgError> {
    let due = store.sign_in_failures_due(at_ms - RECORD_EVERY_MS).await?;
    for email in &due {
        flush(store, email, at_ms, Occasion::Scheduled).await?;
    }
    Ok(due.len())
}

/// The user a verified OpenID Connect identity signs in as: the one linked to its subject,
/// else the enabled user with its (verified) e-mail address, who is linked now — an audited
/// change of how they may sign in (R19). `None`: the workspace does not know this person, and
/// nothing is created (R22).
pub async fn oidc_user(
    store: &Store,
    identity: &crate::auth::oidc::Identity,
    at_ms: i64,
) -> Result<Option<String>, OrgError> {
    if let Some(id) = store
        .user_by_oidc_subject(&identity.issuer, &identity.subject)
        .await?
    {
        return Ok(Some(id));
    }
    let (Some(email), Some(workspace)) = (&identity.email, store.workspace().await?) else {
        return Ok(None);
    };
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let Some(id) = crate::store::oidc::link_oidc_subject(
        &mut conn,
        &identity.issuer,
        &identity.subject,
        email,
    )
    .await?
    else {
        return Ok(None);
    };
    let change = Change {
        actor: Actor::Person(opsux_core::UserId::from_uuid(parse(&id)?)),
        at_ms,
    };
    let after = json!({ "email": email, "issuer": identity.issuer });
    change
        .audit(
            &mut conn,
            AuditScope::Workspace(parse(&workspace.id)?),
            "user.oidc_link",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(Some(id))
}

async fn flush(store: &Store, email: &str, at_ms: i64, occasion: Occasion) -> Result<(), OrgError> {
    let Some(workspace) = store.workspace().await? else {
        return Ok(());
    };
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let Some(user) = directory::user_by_email(&mut conn, email.trim()).await? else {
        return Ok(());
    };
    if occasion == Occasion::SignedIn {
        directory::set_last_sign_in(&mut conn, &user.id, at_ms).await?;
    }
    let failed = i64::from(occasion == Occasion::Failed);
    let (pending, recorded_at) =
        directory::count_sign_in_failures(&mut conn, &user.id, failed).await?;
    // The first failure after a quiet spell is written at once; those that follow wait for
    // the next entry.
    let due =
        pending > 0 && (occasion == Occasion::SignedIn || at_ms - recorded_at >= RECORD_EVERY_MS);
    if due {
        directory::sign_in_failures_recorded(&mut conn, &user.id, at_ms).await?;
        let change = Change {
            actor: Actor::System,
            at_ms,
        };
        let after = json!({ "email": user.email, "failures": pending });
        change
            .audit(
                &mut conn,
                AuditScope::Workspace(parse(&workspace.id)?),
                "sign_in.failed",
                None,
                Some(after),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
