//! Who is calling: password login, cookie sessions, and the tenant access guard (R16, R17).

pub mod accounts;
mod guard;
pub mod oidc;
mod origin;
mod password;
mod session;
mod throttle;
mod token;

pub use guard::{TenantAccess, require_tenant_member};
pub use origin::require_trusted_origin;
pub use password::{hash_password, verify_password};
pub use session::{
    CurrentUser, SECURE_SESSION_COOKIE, SESSION_COOKIE, SESSION_TTL, Sessions, new_token,
    token_hash,
};
pub use throttle::{LoginLimits, LoginThrottle};
pub use token::TokenAccess;
