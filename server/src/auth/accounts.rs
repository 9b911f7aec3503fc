//! Signing in: checking an e-mail and password against the stored hash.

use std::sync::LazyLock;

use super::{CurrentUser, hash_password, verify_password};
use crate::store::Store;

/// Verified against when the e-mail is unknown, so an unknown e-mail and a wrong password
/// take the same time and cannot be told apart.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());

/// The user with this e-mail and password; `None` for any mismatch. The hash runs on the
/// blocking pool; callers hold a hashing permit (see `throttle`), so one runs per core.
pub async fn verify_login(
    store: &Store,
    email: &str,
    password: &str,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row = store.user_by_email(email.trim()).await?;
    let hash = row
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |r| r.password_hash.clone());
    let password = password.to_owned();
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    // A disabled user's right password is refused like a wrong one (R21).
    Ok(row.filter(|row| row.disabled_at.is_none()).and_then(|row| {
        password_ok.then_some(CurrentUser {
            id: row.id.parse().ok()?,
            email: row.email,
            display_name: row.display_name,
        })
    }))
}
