//! Users and their tenants, as sign-in and `GET /api/me` need them.

use std::sync::LazyLock;

use opsux_core::wire::TenantAccessDto;
use opsux_core::{Role, TenantSlug, UserId};

use super::{CurrentUser, hash_password, verify_password};
use crate::db::Pool;

/// Verified against when the e-mail is unknown, so an unknown e-mail and a wrong password
/// take the same time and cannot be told apart.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());

/// The user with this e-mail and password; `None` for any mismatch.
pub async fn verify_login(
    pool: &Pool,
    email: &str,
    password: &str,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT id, email, display_name, password_hash FROM users WHERE email = ?")
            .bind(email.trim())
            .fetch_optional(pool)
            .await?;
    let hash = row.as_ref().map_or(DUMMY_HASH.as_str(), |r| r.3.as_str());
    let password_ok = verify_password(password, hash);
    Ok(row.and_then(|(id, email, display_name, _)| {
        password_ok.then_some(CurrentUser {
            id: id.parse().ok()?,
            email,
            display_name,
        })
    }))
}

/// The tenants `user` belongs to, by name, with role and capabilities. A row the contract
/// rejects (unknown role, bad slug) is left out rather than failing the whole answer.
pub async fn tenants_of(pool: &Pool, user: UserId) -> Result<Vec<TenantAccessDto>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.slug, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
         WHERE m.user_id = ? ORDER BY t.name",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(slug, name, role)| {
            let role = Role::parse(&role)?;
            Some(TenantAccessDto {
                slug: TenantSlug::parse(&slug).ok()?,
                name,
                role,
                capabilities: role.capabilities(),
            })
        })
        .collect())
}
