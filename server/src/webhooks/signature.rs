//! Signing a webhook delivery as Standard Webhooks specifies (the open spec Svix and others
//! implement, with verifiers in many languages): an endpoint's secret is `whsec_` + base64 of
//! its bytes; a delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed with the
//! secret's decoded bytes. HMAC comes from aws-lc-rs, already linked for TLS and the secrets key.

use std::fmt;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// What every endpoint secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// The bytes of a secret opsux makes.
const SECRET_BYTES: usize = 32;

/// An endpoint's signing secret. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// A new secret of 32 random bytes.
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = vec![0; SECRET_BYTES];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SecretError("the system's random source failed"))?;
        Ok(Self(bytes))
    }

    /// A secret as it is shown and stored: `whsec_` + base64 (the prefix may be left out, as
    /// verifiers accept).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError("a webhook secret is whsec_ followed by base64"))?;
        if bytes.len() < 24 {
            return Err(SecretError("a webhook secret holds at least 24 bytes"));
        }
        Ok(Self(bytes))
    }

    /// `whsec_` + base64: what the endpoint's owner is shown once and the database keeps.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The `webhook-signature` header's value for one delivery.
    pub fn sign(&self, id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        let tag = hmac::sign(&self.key(), &signed_content(id, timestamp_secs, body));
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }

    /// Whether `header` (space-separated `version,signature` pairs, as a receiver sees it)
    /// holds a valid `v1` signature of this delivery; compared in constant time.
    pub fn verify(&self, id: &str, timestamp_secs: i64, body: &[u8], header: &str) -> bool {
        let (key, content) = (self.key(), signed_content(id, timestamp_secs, body));
        header
            .split_whitespace()
            .filter_map(|pair| pair.strip_prefix("v1,"))
            .filter_map(|sig| STANDARD.decode(sig).ok())
            .any(|sig| hmac::verify(&key, &content, &sig).is_ok())
    }

    fn key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.0)
    }
}

/// What is signed: `id.timestamp.body`.
fn signed_content(id: &str, timestamp_secs: i64, body: &[u8]) -> Vec<u8> {
    let timestamp = timestamp_secs.to_string();
    let mut content = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    content.extend_from_slice(id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(timestamp.as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    content
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

/// Why a text is not a webhook secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretError(&'static str);

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for SecretError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the Standard Webhooks specification and its reference libraries.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1_614_265_330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_the_specifications_example_as_its_libraries_do() {
        let secret = WebhookSecret::parse(SPEC_SECRET).unwrap();
        assert_eq!(
            secret.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.as_bytes()),
            SPEC_SIGNATURE
        );
        assert!(secret.verify(
            SPEC_ID,
            SPEC_TIMESTAMP,
            SPEC_BODY.as_bytes(),
            SPEC_SIGNATURE
        ));
        // Several signatures in the header (a rotation): any valid one is enough.
        let rotated = format!("v1,Zm9vYmFy {SPEC_SIGNATURE}");
        assert!(secret.verify(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.as_bytes(), &rotated));
    }

    #[test]
    fn a_changed_id_timestamp_body_or_secret_does_not_verify() {
        let secret = WebhookSecret::parse(SPEC_SECRET).unwrap();
        let body = SPEC_BODY.as_bytes();
        assert!(!secret.verify("msg_other", SPEC_TIMESTAMP, body, SPEC_SIGNATURE));
        assert!(!secret.verify(SPEC_ID, SPEC_TIMESTAMP + 1, body, SPEC_SIGNATURE));
        assert!(!secret.verify(SPEC_ID, SPEC_TIMESTAMP, br#"{"test": 1}"#, SPEC_SIGNATURE));
        assert!(!secret.verify(SPEC_ID, SPEC_TIMESTAMP, body, "v2,g0hM9SsE"));
        let other = WebhookSecret::generate().unwrap();
        assert!(!other.verify(SPEC_ID, SPEC_TIMESTAMP, body, SPEC_SIGNATURE));
    }

    #[test]
    fn a_new_secret_is_32_random_bytes_shown_as_whsec_base64() {
        let secret = WebhookSecret::generate().unwrap();
        let shown = secret.expose();
        assert!(shown.starts_with(SECRET_PREFIX));
        assert_eq!(WebhookSecret::parse(&shown).unwrap(), secret);
        assert_ne!(WebhookSecret::generate().unwrap(), secret);
        assert_eq!(format!("{secret:?}"), "WebhookSecret(…)");
        for bad in ["whsec_not base64!", "whsec_c2hvcnQ=", ""] {
            assert!(WebhookSecret::parse(bad).is_err(), "{bad:?}");
        }
    }
}
