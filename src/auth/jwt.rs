//! Pure JWT checks: structure, header, algorithm pinning, signature (through [`Key`]) and
//! claims. No I/O: the keys to try are handed in.

use std::collections::BTreeMap;
use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, TimeDelta, Utc};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::keys::{Alg, Key};
use crate::domain::UserId;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY_SECONDS: i64 = 60;
/// Tokens longer than this are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Why a bearer token was refused. The reason is safe to show: it never names the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidToken {
    NotBearer,
    TooLong,
    Malformed,
    DuplicateClaim,
    CriticalHeader,
    WrongAlgorithm,
    UnknownKey,
    BadSignature,
    MissingExpiry,
    Expired,
    NotYetValid,
    IssuedInFuture,
    WrongIssuer,
    WrongAudience,
    NoUserId,
}

impl InvalidToken {
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotBearer => "expected a Bearer token",
            Self::TooLong => "token too long",
            Self::Malformed => "malformed token",
            Self::DuplicateClaim => "token has a duplicated claim",
            Self::CriticalHeader => "token has unsupported critical headers",
            Self::WrongAlgorithm => "token algorithm not accepted",
            Self::UnknownKey => "token signing key not found",
            Self::BadSignature => "invalid signature",
            Self::MissingExpiry => "token has no expiry",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
            Self::IssuedInFuture => "token issued in the future",
            Self::WrongIssuer => "token issuer not accepted",
            Self::WrongAudience => "token audience not accepted",
            Self::NoUserId => "token has no user id",
        }
    }
}

/// A JSON object whose parsing fails on a repeated name (serde_json keeps the last silently,
/// which lets a forged duplicate `sub` or `alg` hide behind a benign first one).
struct StrictObject(BTreeMap<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = StrictObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            crate::domain::fields::refuse_other_values!("not an object");

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                _: A,
            ) -> Result<StrictObject, A::Error> {
                Err(serde::de::Error::custom("not an object"))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictObject, A::Error> {
                let mut object = BTreeMap::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if object.insert(name, value).is_some() {
                        return Err(serde::de::Error::custom(DUPLICATE));
                    }
                }
                Ok(StrictObject(object))
            }
        }
        deserializer.deserialize_any(ObjectVisitor)
    }
}

const DUPLICATE: &str = "duplicate name";

fn decode_object(part: &str) -> Result<BTreeMap<String, Value>, InvalidToken> {
    let bytes = Base64UrlUnpadded::decode_vec(part).map_err(|_| InvalidToken::Malformed)?;
    match serde_json::from_slice::<StrictObject>(&bytes) {
        Ok(object) => Ok(object.0),
        Err(e) if e.to_string().starts_with(DUPLICATE) => Err(InvalidToken::DuplicateClaim),
        Err(_) => Err(InvalidToken::Malformed),
    }
}

/// A token split and decoded, signature not yet checked.
#[derive(Debug)]
pub struct UntrustedJwt<'a> {
    /// The header's `alg`, as written.
    pub alg: String,
    pub kid: Option<String>,
    signing_input: &'a str,
    signature: Vec<u8>,
    claims: BTreeMap<String, Value>,
}

impl<'a> UntrustedJwt<'a> {
    /// Size, three base64url parts, JSON objects without duplicates, a string `alg`, no `crit`.
    pub fn parse(token: &'a str) -> Result<Self, InvalidToken> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(InvalidToken::TooLong);
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidToken::Malformed);
        };
        let signature =
            Base64UrlUnpadded::decode_vec(signature).map_err(|_| InvalidToken::Malformed)?;
        let header_fields = decode_object(header)?;
        let claims = decode_object(payload)?;
        let alg = match header_fields.get("alg") {
            Some(Value::String(alg)) => alg.clone(),
            _ => return Err(InvalidToken::Malformed),
        };
        // RFC 7515 §4.1.11: no extension is understood here, so any `crit` must be refused.
        if header_fields.contains_key("crit") {
            return Err(InvalidToken::CriticalHeader);
        }
        let kid = match header_fields.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(InvalidToken::Malformed),
        };
        Ok(Self {
            alg,
            kid,
            signing_input: &token[..header.len() + 1 + payload.len()],
            signature,
            claims,
        })
    }
}

/// The claim rules of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRules {
    pub leeway: TimeDelta,
    /// `iss` must equal this when set.
    pub issuer: Option<String>,
    /// `aud` (a string, or an array of them) must contain one of these when set.
    pub audiences: Vec<String>,
    /// Claims read, in order, for the user id.
    pub user_claims: Vec<String>,
}

impl Default for ClaimRules {
    fn default() -> Self {
        Self {
            leeway: TimeDelta::seconds(DEFAULT_LEEWAY_SECONDS),
            issuer: None,
            audiences: Vec::new(),
            user_claims: vec!["sub".into(), "userId".into()],
        }
    }
}

/// Checks the signature with the keys pinned to the token's `alg` among `keys`, then the
/// claims. `keys` are the candidates for the token's `kid` (all of them when it has none).
pub async fn verify(
    token: &UntrustedJwt<'_>,
    keys: &[&Key],
    rules: &ClaimRules,
    now: DateTime<Utc>,
) -> Result<UserId, InvalidToken> {
    let alg = Alg::from_name(&token.alg).ok_or(InvalidToken::WrongAlgorithm)?;
    let pinned: Vec<&Key> = keys.iter().copied().filter(|key| key.alg == alg).collect();
    if pinned.is_empty() {
        return Err(if keys.is_empty() {
            InvalidToken::UnknownKey
        } else {
            InvalidToken::WrongAlgorithm
        });
    }
    let input = token.signing_input.as_bytes();
    for key in pinned {
        if key.verify(input, &token.signature).await {
            return check_claims(&token.claims, rules, now);
        }
    }
    Err(InvalidToken::BadSignature)
}

fn numeric_date(claims: &BTreeMap<String, Value>, name: &str) -> Result<Option<f64>, InvalidToken> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_f64().map(Some).ok_or(InvalidToken::Malformed),
        Some(_) => Err(InvalidToken::Malformed),
    }
}

/// `exp` (required), `nbf`, `iat`, `iss`, `aud`, then the user id.
pub fn check_claims(
    claims: &BTreeMap<String, Value>,
    rules: &ClaimRules,
    now: DateTime<Utc>,
) -> Result<UserId, InvalidToken> {
    let now = now.timestamp_millis() as f64 / 1000.0;
    let leeway = rules.leeway.num_milliseconds() as f64 / 1000.0;
    let exp = numeric_date(claims, "exp")?.ok_or(InvalidToken::MissingExpiry)?;
    if now > exp + leeway {
        return Err(InvalidToken::Expired);
    }
    if numeric_date(claims, "nbf")?.is_some_and(|nbf| nbf > now + leeway) {
        return Err(InvalidToken::NotYetValid);
    }
    if numeric_date(claims, "iat")?.is_some_and(|iat| iat > now + leeway) {
        return Err(InvalidToken::IssuedInFuture);
    }
    if let Some(issuer) = &rules.issuer {
        if claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str()) {
            return Err(InvalidToken::WrongIssuer);
        }
    }
    if !rules.audiences.is_empty() {
        let accepted = |aud: &Value| {
            aud.as_str()
                .is_some_and(|a| rules.audiences.iter().any(|x| x == a))
        };
        let ok = match claims.get("aud") {
            Some(Value::Array(list)) => list.iter().any(accepted),
            Some(aud) => accepted(aud),
            None => false,
        };
        if !ok {
            return Err(InvalidToken::WrongAudience);
        }
    }
    rules
        .user_claims
        .iter()
        .find_map(|name| claims.get(name)?.as_str())
        .and_then(UserId::parse)
        .ok_or(InvalidToken::NoUserId)
}

// Test keys come from native-only dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
