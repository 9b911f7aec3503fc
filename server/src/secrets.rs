//! Secrets at rest: tenant client secrets are sealed with AES-256-GCM under the server's
//! secrets key before they reach the database, and opened only to sign in to the provider.
//! Each sealed value is bound to the row and field it belongs to ([`SealedField`], the
//! cipher's associated data): copied into another tenant's row it does not open.
//!
//! The key is 32 random bytes: given as base64, or kept in a key file created on first use
//! with owner-only permissions ([`SecretsKey::load_or_create`]); a key file others may read
//! is refused. Losing it makes stored secrets unreadable, not exposed. `opsux secrets
//! rotate` moves every secret to a new key (`store/connections.rs`).

use std::path::Path;

use uuid::Uuid;

use crate::private_files;

use anyhow::{Context, bail};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The server's key for sealing secrets. Its `Debug` shows nothing of it.
pub struct SecretsKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey([redacted])")
    }
}

/// What a sealed value belongs to: it opens only there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedField<'a> {
    pub tenant_id: Uuid,
    /// The column, e.g. `client_secret`.
    pub field: &'a str,
}

impl SealedField<'_> {
    /// A tenant connection's client secret.
    pub fn client_secret(tenant_id: Uuid) -> SealedField<'static> {
        SealedField {
            tenant_id,
            field: "client_secret",
        }
    }

    fn associated_data(&self) -> Vec<u8> {
        format!("opsux.v2/tenant/{}/{}", self.tenant_id, self.field).into_bytes()
    }
}

/// The prefix of a value sealed bound to its field; older values (unbound) have none and are
/// opened only by `opsux secrets rotate`, which binds them.
const BOUND: &str = "v2.";

/// A sealed value could not be opened: another key sealed it, or it was altered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable;

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a stored secret cannot be opened with this server's secrets key")
    }
}

impl std::error::Error for Unreadable {}

impl SecretsKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).expect("a 32-byte key fits AES-256");
        Self {
            key: LessSafeKey::new(unbound),
        }
    }

    /// A key from its base64 text (44 characters, 32 bytes).
    pub fn from_base64(text: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD
            .decode(text.trim())
            .context("the secrets key is not base64")?;
        let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!("the secrets key must be 32 bytes (44 base64 characters)");
        };
        Ok(Self::from_bytes(&bytes))
    }

    /// The key in `path`, or a new random key written there (owner-only) if it does not
    /// exist. A key file that others may read is refused, saying how to fix it.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            if private_files::readable_by_others(path)? {
                bail!(
                    "the secrets key file {} may be read by other users (mode {}): make it \
                     owner-only with `chmod 600 {}`, and consider the key exposed",
                    path.display(),
                    private_files::mode_text(path),
                    path.display()
                );
            }
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the secrets key {}", path.display()))?;
            return Self::from_base64(&text)
                .with_context(|| format!("the secrets key in {}", path.display()));
        }
        let key = Self::create(path)?;
        tracing::info!(path = %path.display(), "created a new secrets key; keep it with the database");
        Ok(key)
    }

    /// A new random key, written to `path` (owner-only), which must not exist yet.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| anyhow::anyhow!("the system random source failed"))?;
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        private_files::write_new_private(path, STANDARD.encode(bytes).as_bytes())
            .with_context(|| format!("writing a new secrets key to {}", path.display()))?;
        Ok(Self::from_bytes(&bytes))
    }

    /// `plain` sealed for `field`: `v2.` and the base64 of nonce ‖ ciphertext ‖ tag, the
    /// field its associated data. A fresh random nonce each time.
    pub fn seal(&self, plain: &str, field: SealedField<'_>) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        // The system random source failing is not survivable for a server anyway.
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system random source works");
        let mut sealed = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(field.associated_data()),
                &mut sealed,
            )
            .expect("AES-GCM seals any length a secret has");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{BOUND}{}", STANDARD.encode(out))
    }

    /// The value sealed for `field`; a value sealed for another field or tenant, by another
    /// key, altered, or from before values were bound does not open.
    pub fn open(&self, sealed: &str, field: SealedField<'_>) -> Result<String, Unreadable> {
        let body = sealed.strip_prefix(BOUND).ok_or(Unreadable)?;
        self.open_with(body, &field.associated_data())
    }

    /// A value sealed for `field`, or one sealed before values were bound: for moving
    /// secrets to a new key, which binds them.
    pub fn open_for_rotation(
        &self,
        sealed: &str,
        field: SealedField<'_>,
    ) -> Result<String, Unreadable> {
        match sealed.strip_prefix(BOUND) {
            Some(body) => self.open_with(body, &field.associated_data()),
            None => self.open_with(sealed, &[]),
        }
    }

    fn open_with(&self, sealed: &str, associated: &[u8]) -> Result<String, Unreadable> {
        let bytes = STANDARD.decode(sealed).map_err(|_| Unreadable)?;
        if bytes.len() < NONCE_LEN {
            return Err(Unreadable);
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unreadable)?;
        let mut rest = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(associated), &mut rest)
            .map_err(|_| Unreadable)?;
        String::from_utf8(plain.to_vec()).map_err(|_| Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let key = SecretsKey::from_bytes(&[7; 32]);
        let field = SealedField::client_secret(Uuid::from_u128(1));
        let sealed = key.seal("s3cret-value", field);
        assert!(!sealed.contains("s3cret"));
        assert_ne!(
            sealed,
            key.seal("s3cret-value", field),
            "a fresh nonce each time"
        );
        assert_eq!(key.open(&sealed, field).as_deref(), Ok("s3cret-value"));
        assert_eq!(
            SecretsKey::from_bytes(&[8; 32]).open(&sealed, field),
            Err(Unreadable)
        );
        let mut tampered = STANDARD.decode(&sealed[BOUND.len()..]).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let tampered = format!("{BOUND}{}", STANDARD.encode(tampered));
        assert_eq!(key.open(&tampered, field), Err(Unreadable));
        assert_eq!(format!("{key:?}"), "SecretsKey([redacted])");
    }

    #[test]
    fn a_sealed_secret_opens_only_in_its_own_tenant_and_field() {
        let key = SecretsKey::from_bytes(&[7; 32]);
        let ours = SealedField::client_secret(Uuid::from_u128(1));
        let sealed = key.seal("s3cret-value", ours);
        let theirs = SealedField::client_secret(Uuid::from_u128(2));
        assert_eq!(key.open(&sealed, theirs), Err(Unreadable));
        let other_field = SealedField {
            tenant_id: Uuid::from_u128(1),
            field: "other",
        };
        assert_eq!(key.open(&sealed, other_field), Err(Unreadable));
    }

    #[test]
    fn an_unbound_value_opens_for_rotation_only() {
        let key = SecretsKey::from_bytes(&[7; 32]);
        let field = SealedField::client_secret(Uuid::from_u128(1));
        // Sealed the way values were before they were bound: no associated data, no prefix.
        let mut nonce = [0u8; NONCE_LEN];
        nonce[0] = 1;
        let mut sealed = b"old-secret".to_vec();
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .unwrap();
        let old = STANDARD.encode([nonce.as_slice(), &sealed].concat());
        assert_eq!(key.open(&old, field), Err(Unreadable));
        assert_eq!(
            key.open_for_rotation(&old, field).as_deref(),
            Ok("old-secret")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.key");
        SecretsKey::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = SecretsKey::load_or_create(&path).unwrap_err().to_string();
        assert!(
            err.contains("mode 0640") && err.contains("chmod 600"),
            "{err}"
        );
    }

    #[test]
    fn a_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/secrets.key");
        let first = SecretsKey::load_or_create(&path).unwrap();
        let field = SealedField::client_secret(Uuid::from_u128(1));
        let sealed = first.seal("x", field);
        let again = SecretsKey::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed, field).as_deref(), Ok("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(SecretsKey::from_base64("c2hvcnQ=").is_err());
    }
}
