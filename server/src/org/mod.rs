//! An organisation's own set-up (SPEC §9): the workspace and its first owner, tenants, users,
//! memberships and API tokens — the rules each change must keep (a tenant keeps an owner, R21;
//! a disabled user's sessions end) and the audit entry each writes in its own transaction (R19). The
//! command line and the panel's pages both come through here, so they cannot disagree.

mod connections;
mod invitations;
mod members;
mod operation_types;
mod rules;
mod sign_in;
mod tenants;
mod tokens;
mod users;
mod webhooks;
mod workspace;

use std::fmt;

pub use connections::{
    Checked, DEFAULT_GRAPH_URL, DEFAULT_LOGIN_URL, NewConnection, check_connection, connect,
};
pub use invitations::{
    Acceptance, Accepted, INVITATION_DAYS, Invited, accept, invite, open as open_invitation,
    revoke_invitation,
};
pub use members::{Granted, grant, revoke};
pub use operation_types::{
    NewRegisteredType, RegisteredType, known_type, register_type, registered_type,
    registered_types, remove_type,
};
pub use rules::{MIN_PASSWORD_LEN, check_email, check_new_slug, check_password};
pub use sign_in::{RECORD_EVERY_MS, oidc_user, record_pending_failures, sign_in_failed, signed_in};
pub use tenants::{add_tenant, rename_tenant};
pub use tokens::{
    CreatedToken, MAX_TOKEN_DAYS, NewApiToken, TOKEN_PREFIX, TokenGrant, TokenScope, TokenSummary,
    authenticate as authenticate_token, create_token, revoke_token, tokens,
};
pub use users::{add_user, end_sessions, set_disabled, set_password};
pub use webhooks::{
    DeliverySummary, MAX_ENDPOINTS, MAX_LISTED_DELIVERIES, NewWebhook, WebhookSummary,
    WebhookWithSecret, add_webhook, deliveries as webhook_deliveries, remove_webhook,
    resend as resend_delivery, resume_webhook, rotate_secret as rotate_webhook_secret,
    send_test as send_test_event, webhooks,
};
pub use workspace::{NewWorkspace, init};

use crate::store::audit::{Actor, AuditScope, NewAuditEntry, record};
use crate::store::{Conn, Store};

/// Why a change was refused. Each message says what to do, in the words of the one who asked.
#[derive(Debug)]
pub enum OrgError {
    /// A value breaks a rule (422): which one, and the rule.
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The change contradicts what exists (409): a duplicate, the last owner, a second `init`.
    Conflict(String),
    /// What it names does not exist (404).
    NotFound(String),
    Database(sqlx::Error),
    Internal(anyhow::Error),
}

impl fmt::Display for OrgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { field, message } => write!(f, "{field}: {message}"),
            Self::Conflict(message) | Self::NotFound(message) => f.write_str(message),
            Self::Database(err) => write!(f, "database error: {err}"),
            Self::Internal(err) => write!(f, "{err:#}"),
        }
    }
}

impl std::error::Error for OrgError {}

impl From<sqlx::Error> for OrgError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

impl OrgError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// Who made a change and when: what every audit entry records.
#[derive(Debug, Clone)]
pub struct Change {
    pub actor: Actor,
    pub at_ms: i64,
}

impl Change {
    async fn audit(
        &self,
        conn: &mut Conn<'_>,
        scope: AuditScope,
        action: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<(), sqlx::Error> {
        let entry = NewAuditEntry {
            scope,
            actor: self.actor.clone(),
            action,
            before: before.as_ref(),
            after: after.as_ref(),
            run_id: None,
            at_ms: self.at_ms,
        };
        record(conn, &entry).await
    }
}

/// The workspace's id, or a refusal saying how to make one.
async fn workspace_id(store: &Store) -> Result<String, OrgError> {
    store.workspace().await?.map(|w| w.id).ok_or_else(|| {
        OrgError::Conflict(
            "there is no workspace yet: run `opsux init --workspace NAME --owner-email EMAIL` first"
                .to_owned(),
        )
    })
}

/// Argon2 on the blocking pool: it takes tens of milliseconds of one core.
async fn hash(password: &str) -> Result<String, OrgError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(|e| OrgError::Internal(e.into()))?
        .map_err(OrgError::Internal)
}
