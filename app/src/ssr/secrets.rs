//! Secrets kept for tenants (webhook signing secrets; payment keys later) are stored encrypted:
//! a copy of the database, a backup or a read-only SQL hole shows no usable secret. The key is
//! kept like the session key, outside the database (a setting, or a key file beside SQLite).
//!
//! Stored form: `enc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`, XChaCha20-Poly1305
//! with a random 24-byte nonce. The row a secret belongs to is bound in as associated data, so
//! a ciphertext copied into another tenant's row does not open. Older keys may be kept for
//! reading while everything is sealed again with the current one (rotation).
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "enc:v1:";

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    /// Any secret string of at least 32 characters; hashed to the 256-bit key.
    fn from_secret(secret: &[u8]) -> Key {
        let key: [u8; 32] = Sha256::digest(secret).into();
        let id = hex::encode(&Sha256::digest([b"lifeline-key-id:".as_slice(), &key].concat())[..4]);
        Key {
            id,
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }
}

pub struct SecretKeys {
    current: Key,
    old: Vec<Key>,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SecretKeys(current {}, {} old)",
            self.current.id,
            self.old.len()
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret was sealed with a key this server does not have (key id {0})")]
    UnknownKey(String),
    #[error("the secret does not open: damaged, or not this row's")]
    Damaged,
}

impl SecretKeys {
    pub fn new(current: &[u8], old: &[Vec<u8>]) -> SecretKeys {
        SecretKeys {
            current: Key::from_secret(current),
            old: old.iter().map(|k| Key::from_secret(k)).collect(),
        }
    }

    /// The current key's id, as it appears in sealed values.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` for the row named by `context` (empty stays empty: no secret).
    pub fn seal(&self, plain: &str, context: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any length this server handles");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!(
            "{PREFIX}{}:{}",
            self.current.id,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    /// The plain secret of a stored value. A value stored before encryption (no prefix) is
    /// returned as it is, until `needs_resealing` has it sealed.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, SecretError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let (id, data) = rest.split_once(':').ok_or(SecretError::Damaged)?;
        let key = std::iter::once(&self.current)
            .chain(&self.old)
            .find(|k| k.id == id)
            .ok_or_else(|| SecretError::UnknownKey(id.to_string()))?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| SecretError::Damaged)?;
        if bytes.len() < 24 {
            return Err(SecretError::Damaged);
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SecretError::Damaged)?;
        let plain = key
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Damaged)?;
        String::from_utf8(plain).map_err(|_| SecretError::Damaged)
    }

    /// Whether a stored value is plain text or sealed with an older key.
    pub fn needs_resealing(&self, stored: &str) -> bool {
        !stored.is_empty() && !stored.starts_with(&format!("{PREFIX}{}:", self.current.id))
    }
}

/// The associated data of an MSP's webhook signing secret.
pub fn webhook_context(msp_id: uuid::Uuid) -> String {
    format!("alert_settings.webhook_secret:{msp_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_open_only_with_their_key_and_their_row() {
        let keys = SecretKeys::new(b"the current key, 32 characters or more", &[]);
        let sealed = keys.seal("s3cret-s3cret-s3cret", "row-a");
        assert!(sealed.starts_with("enc:v1:"), "{sealed}");
        assert!(!sealed.contains("s3cret"));
        assert_ne!(
            sealed,
            keys.seal("s3cret-s3cret-s3cret", "row-a"),
            "fresh nonce"
        );
        assert_eq!(keys.open(&sealed, "row-a").unwrap(), "s3cret-s3cret-s3cret");
        assert_eq!(keys.open(&sealed, "row-b"), Err(SecretError::Damaged));
        let mut flipped = sealed.clone();
        flipped.pop();
        flipped.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.open(&flipped, "row-a"), Err(SecretError::Damaged));
        let other = SecretKeys::new(b"a different key of enough length..", &[]);
        assert!(matches!(
            other.open(&sealed, "row-a"),
            Err(SecretError::UnknownKey(_))
        ));
        assert_eq!(keys.seal("", "row-a"), "");
        assert_eq!(keys.open("", "row-a").unwrap(), "");
        assert_eq!(keys.open("legacy plain", "row-a").unwrap(), "legacy plain");
        assert!(keys.needs_resealing("legacy plain"));
        assert!(!keys.needs_resealing(&sealed));
    }

    #[test]
    fn a_rotated_key_still_reads_what_the_old_one_sealed() {
        let old = b"the old key, which is long enough....".to_vec();
        let before = SecretKeys::new(&old, &[]);
        let sealed = before.seal("hook secret 1234567", "row");
        let after = SecretKeys::new(b"the new key, which is long enough....", &[old]);
        assert_eq!(after.open(&sealed, "row").unwrap(), "hook secret 1234567");
        assert!(after.needs_resealing(&sealed));
        let resealed = after.seal(&after.open(&sealed, "row").unwrap(), "row");
        assert!(!after.needs_resealing(&resealed));
        assert!(before.open(&resealed, "row").is_err());
    }
}
