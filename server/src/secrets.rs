//! Secrets at rest: tenant client secrets are sealed with AES-256-GCM under the server's
//! secrets key before they reach the database, and opened only to sign in to the provider.
//!
//! The key is 32 random bytes: given as base64, or kept in a key file created on first use
//! with owner-only permissions ([`SecretsKey::load_or_create`]). Losing it makes stored
//! secrets unreadable, not exposed. (The server's flag for it comes with the flows that
//! connect to tenants.)

use std::path::Path;

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

    /// The key in `path`, or a new random key written there (owner-only) if it does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the secrets key {}", path.display()))?;
            return Self::from_base64(&text)
                .with_context(|| format!("the secrets key in {}", path.display()));
        }
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
        write_private(path, &STANDARD.encode(bytes))
            .with_context(|| format!("writing a new secrets key to {}", path.display()))?;
        tracing::info!(path = %path.display(), "created a new secrets key; keep it with the database");
        Ok(Self::from_bytes(&bytes))
    }

    /// `plain` sealed: base64 of nonce ‖ ciphertext ‖ tag. A fresh random nonce each time.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        // The system random source failing is not survivable for a server anyway.
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system random source works");
        let mut sealed = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .expect("AES-GCM seals any length a secret has");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, Unreadable> {
        let bytes = STANDARD.decode(sealed).map_err(|_| Unreadable)?;
        if bytes.len() < NONCE_LEN {
            return Err(Unreadable);
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unreadable)?;
        let mut rest = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut rest)
            .map_err(|_| Unreadable)?;
        String::from_utf8(plain.to_vec()).map_err(|_| Unreadable)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let key = SecretsKey::from_bytes(&[7; 32]);
        let sealed = key.seal("s3cret-value");
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, key.seal("s3cret-value"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).as_deref(), Ok("s3cret-value"));
        assert_eq!(
            SecretsKey::from_bytes(&[8; 32]).open(&sealed),
            Err(Unreadable)
        );
        let mut tampered = STANDARD.decode(&sealed).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(key.open(&STANDARD.encode(tampered)), Err(Unreadable));
        assert_eq!(format!("{key:?}"), "SecretsKey([redacted])");
    }

    #[test]
    fn a_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/secrets.key");
        let first = SecretsKey::load_or_create(&path).unwrap();
        let sealed = first.seal("x");
        let again = SecretsKey::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed).as_deref(), Ok("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(SecretsKey::from_base64("c2hvcnQ=").is_err());
    }
}
