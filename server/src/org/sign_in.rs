//! Sign-ins as the audit log sees them: failures counted per account, not one row per attempt
//! (R19) — a guessing storm must not drown the log — and each person's last sign-in.

use serde_json::json;

use super::tenants::parse;
use super::{Change, OrgError};
use crate::store::audit::{Actor, AuditScope};
use crate::store::{Store, directory};

/// Failures of one account are written to the log at most this often, as one entry with
/// their count; a successful sign-in writes what is still pending.
const RECORD_EVERY_MS: i64 = 10 * 60 * 1000;

/// A wrong password for `email`. Unknown addresses are not recorded (there is no account to
/// tell an owner about, and the log would become a list of guesses).
pub async fn sign_in_failed(store: &Store, email: &str, at_ms: i64) -> Result<(), OrgError> {
    flush(store, email, at_ms, 1).await
}

/// A successful sign-in: noted as the user's last, and failures still pending are recorded.
pub async fn signed_in(store: &Store, email: &str, at_ms: i64) -> Result<(), OrgError> {
    flush(store, email, at_ms, 0).await
}

async fn flush(store: &Store, email: &str, at_ms: i64, failed: i64) -> Result<(), OrgError> {
    let Some(workspace) = store.workspace().await? else {
        return Ok(());
    };
    let mut tx = store.begin().await?;
    let mut conn = tx.conn();
    let Some(user) = directory::user_by_email(&mut conn, email.trim()).await? else {
        return Ok(());
    };
    if failed == 0 {
        directory::set_last_sign_in(&mut conn, &user.id, at_ms).await?;
    }
    let (pending, recorded_at) =
        directory::count_sign_in_failures(&mut conn, &user.id, failed).await?;
    // The first failure after a quiet spell is written at once; those that follow wait for
    // the next entry.
    let due = pending > 0 && (failed == 0 || at_ms - recorded_at >= RECORD_EVERY_MS);
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
