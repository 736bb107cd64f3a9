//! `Idempotency-Key`: a retried create answers with the license the first attempt made.

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::UserId;

/// How long a key is remembered.
pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

/// A client-chosen key: 1 to 255 visible ASCII characters (UUIDs, ULIDs, hashes all fit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// The header value is not a usable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(value: &str) -> Result<Self, InvalidIdempotencyKey> {
        let valid = (1..=Self::MAX_LEN).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What makes two requests "the same": SHA-256 over the caller and the exact body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of(user: &UserId, body: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(user.as_str().as_bytes());
        hash.update([0]);
        hash.update(body);
        Self(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A fingerprint read back from storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Stored with a license created under an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyTag {
    pub key: IdempotencyKey,
    pub fingerprint: Fingerprint,
    pub expires_at: DateTime<Utc>,
}

impl IdempotencyTag {
    pub fn new(key: IdempotencyKey, fingerprint: Fingerprint, now: DateTime<Utc>) -> Self {
        Self {
            key,
            fingerprint,
            expires_at: now + TimeDelta::hours(IDEMPOTENCY_TTL_HOURS),
        }
    }
}

/// A license created under an idempotency key, with the fingerprint of that request: what a
/// replay needs to answer exactly as the first request was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentLicense {
    pub license: super::License,
    pub fingerprint: Fingerprint,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        for good in [
            "a",
            "0f9c1a8e-8a4e-4c43-9d7e-3c2b1f0e9d8c",
            "01HZX3J6Y8K9Q2R5T7V0W3X6Z9",
            &"k".repeat(255),
        ] {
            assert!(IdempotencyKey::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            " ",
            "with space",
            "tab\tkey",
            "ключ",
            &"k".repeat(256),
            "nul\0",
        ] {
            assert_eq!(
                IdempotencyKey::parse(bad),
                Err(InvalidIdempotencyKey),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn fingerprints_differ_by_caller_and_by_body() {
        let (alice, bob) = (
            UserId::parse("alice").unwrap(),
            UserId::parse("bob").unwrap(),
        );
        let body = br#"{"duration":1}"#;
        assert_eq!(Fingerprint::of(&alice, body), Fingerprint::of(&alice, body));
        assert_ne!(Fingerprint::of(&alice, body), Fingerprint::of(&bob, body));
        assert_ne!(
            Fingerprint::of(&alice, body),
            Fingerprint::of(&alice, br#"{"duration":2}"#)
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        let (ab, a) = (UserId::parse("ab").unwrap(), UserId::parse("a").unwrap());
        assert_ne!(Fingerprint::of(&ab, b"c"), Fingerprint::of(&a, b"bc"));
        assert_eq!(Fingerprint::of(&alice, body).as_str().len(), 64);
    }

    #[test]
    fn a_tag_expires_a_day_after_the_request() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let tag = IdempotencyTag::new(
            IdempotencyKey::parse("k").unwrap(),
            Fingerprint::of(&UserId::parse("u").unwrap(), b""),
            now,
        );
        assert_eq!(tag.expires_at.timestamp() - now.timestamp(), 24 * 3600);
    }
}
