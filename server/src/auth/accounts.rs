//! Signing in: checking an e-mail and password against the stored hash.

use std::sync::LazyLock;

use super::{CurrentUser, hash_password, verify_password};
use crate::store::Store;

/// Verified against when the e-mail is unknown, so an unknown e-mail and a wrong password
/// take the same time and cannot be told apart.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());

/// The user with this e-mail and password; `None` for any mismatch.
pub async fn verify_login(
    store: &Store,
    email: &str,
    password: &str,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row = store.user_by_email(email.trim()).await?;
    let hash = row
        .as_ref()
        .map_or(DUMMY_HASH.as_str(), |r| r.password_hash.as_str());
    let password_ok = verify_password(password, hash);
    Ok(row.and_then(|row| {
        password_ok.then_some(CurrentUser {
            id: row.id.parse().ok()?,
            email: row.email,
            display_name: row.display_name,
        })
    }))
}
