use chrono::{DateTime, TimeDelta, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claim, ParseError, TimeOptions, UntrustedToken, ValidationError};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::UserId;

/// Clock skew tolerated on `exp` and `nbf`.
pub const DEFAULT_LEEWAY_SECONDS: i64 = 60;
/// Tokens longer than this are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Why a bearer token was refused. The reason is safe to show: it never names the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidToken {
    NotBearer,
    TooLong,
    Malformed,
    WrongAlgorithm,
    BadSignature,
    MissingExpiry,
    Expired,
    NotYetValid,
    NoUserId,
}

impl InvalidToken {
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotBearer => "expected a Bearer token",
            Self::TooLong => "token too long",
            Self::Malformed => "malformed token",
            Self::WrongAlgorithm => "token algorithm not accepted",
            Self::BadSignature => "invalid signature",
            Self::MissingExpiry => "token has no expiry",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
            Self::NoUserId => "token has no user id",
        }
    }
}

/// The claims KeyBox reads beyond the registered time claims.
#[derive(Deserialize)]
struct UserClaims {
    sub: Option<Value>,
    #[serde(rename = "userId")]
    user_id: Option<Value>,
}

impl UserClaims {
    /// `sub`, or the original KeyBox server's `userId` when there is no `sub`.
    fn user(&self) -> Option<UserId> {
        [&self.sub, &self.user_id]
            .into_iter()
            .find_map(|claim| claim.as_ref()?.as_str())
            .and_then(UserId::parse)
    }
}

/// Verifies HS256 tokens signed with one shared secret. The algorithm is pinned by the key:
/// a token claiming any other `alg` (including `none`) is refused.
pub struct JwtVerifier {
    key: Hs256Key,
    leeway: TimeDelta,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("alg", &"HS256")
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    pub fn hs256(secret: &[u8]) -> Self {
        Self {
            key: Hs256Key::new(secret),
            leeway: TimeDelta::seconds(DEFAULT_LEEWAY_SECONDS),
        }
    }

    /// Checks structure, algorithm, signature, `exp` (required) and `nbf`, then reads the user.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<UserId, InvalidToken> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(InvalidToken::TooLong);
        }
        let untrusted = UntrustedToken::new(token).map_err(from_parse_error)?;
        let token = Hs256
            .validator::<UserClaims>(&self.key)
            .validate(&untrusted)
            .map_err(from_validation_error)?;
        let time = TimeOptions::new(self.leeway, move || now);
        let claims = token.claims();
        claims
            .validate_expiration(&time)
            .map_err(from_validation_error)?;
        if claims.not_before.is_some() {
            claims
                .validate_maturity(&time)
                .map_err(from_validation_error)?;
        }
        claims.custom.user().ok_or(InvalidToken::NoUserId)
    }
}

fn from_parse_error(_: ParseError) -> InvalidToken {
    InvalidToken::Malformed
}

fn from_validation_error(error: ValidationError) -> InvalidToken {
    match error {
        ValidationError::AlgorithmMismatch { .. } => InvalidToken::WrongAlgorithm,
        ValidationError::InvalidSignature | ValidationError::InvalidSignatureLen { .. } => {
            InvalidToken::BadSignature
        }
        ValidationError::NoClaim(Claim::Expiration) => InvalidToken::MissingExpiry,
        ValidationError::Expired => InvalidToken::Expired,
        ValidationError::NotMature => InvalidToken::NotYetValid,
        _ => InvalidToken::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::{Base64UrlUnpadded, Encoding};
    use chrono::TimeZone;
    use jwt_compact::alg::{Hs512, Hs512Key};
    use jwt_compact::{Claims, Header};
    use serde_json::json;

    const SECRET: &[u8] = b"test-secret-with-enough-entropy-0123456789";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn b64(part: &[u8]) -> String {
        Base64UrlUnpadded::encode_string(part)
    }

    /// Signs `claims` with HS256 under `secret`, whatever they contain.
    fn sign(claims: serde_json::Value, secret: &[u8]) -> String {
        let claims = Claims::new(claims);
        Hs256
            .token(&Header::empty(), &claims, &Hs256Key::new(secret))
            .unwrap()
    }

    fn valid_claims() -> serde_json::Value {
        json!({"sub": "user-1", "exp": now().timestamp() + 3600})
    }

    fn verify(token: &str) -> Result<String, InvalidToken> {
        JwtVerifier::hs256(SECRET)
            .verify(token, now())
            .map(|u| u.as_str().to_owned())
    }

    #[test]
    fn a_valid_token_yields_its_subject() {
        assert_eq!(verify(&sign(valid_claims(), SECRET)), Ok("user-1".into()));
    }

    #[test]
    fn the_original_keybox_user_id_claim_is_used_when_there_is_no_subject() {
        let claims = json!({"userId": "60f7b3b3e6b3a72e8c8e4a1a", "email": "a@b.c", "role": "admin", "exp": now().timestamp() + 60});
        assert_eq!(
            verify(&sign(claims, SECRET)),
            Ok("60f7b3b3e6b3a72e8c8e4a1a".into())
        );
        let both =
            json!({"sub": "from-sub", "userId": "from-user-id", "exp": now().timestamp() + 60});
        assert_eq!(verify(&sign(both, SECRET)), Ok("from-sub".into()));
    }

    #[test]
    fn refused_tokens_say_why() {
        let exp = now().timestamp() + 3600;
        let good = sign(valid_claims(), SECRET);
        let (header, rest) = good.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let forged_payload = b64(json!({"sub": "admin", "exp": exp}).to_string().as_bytes());
        let hs512 = Hs512
            .token(
                &Header::empty(),
                &Claims::new(valid_claims()),
                &Hs512Key::new(SECRET),
            )
            .unwrap();
        let cases: Vec<(String, InvalidToken, &str)> = vec![
            (
                sign(json!({"sub": "u", "exp": now().timestamp() - 61}), SECRET),
                InvalidToken::Expired,
                "expired beyond the leeway",
            ),
            (
                sign(json!({"sub": "u"}), SECRET),
                InvalidToken::MissingExpiry,
                "no exp",
            ),
            (
                sign(
                    json!({"sub": "u", "exp": exp, "nbf": now().timestamp() + 61}),
                    SECRET,
                ),
                InvalidToken::NotYetValid,
                "nbf in the future",
            ),
            (
                sign(json!({"exp": exp}), SECRET),
                InvalidToken::NoUserId,
                "no sub nor userId",
            ),
            (
                sign(json!({"sub": "", "exp": exp}), SECRET),
                InvalidToken::NoUserId,
                "blank sub",
            ),
            (
                sign(json!({"sub": 42, "exp": exp}), SECRET),
                InvalidToken::NoUserId,
                "numeric sub",
            ),
            (
                sign(valid_claims(), b"another-secret"),
                InvalidToken::BadSignature,
                "signed with another secret",
            ),
            (
                format!("{header}.{forged_payload}.{signature}"),
                InvalidToken::BadSignature,
                "tampered payload",
            ),
            (
                format!(
                    "{header}.{payload}.{}",
                    b64(b"not the signature at all, 32 b")
                ),
                InvalidToken::BadSignature,
                "tampered signature",
            ),
            (
                format!("{none_header}.{payload}."),
                InvalidToken::WrongAlgorithm,
                "alg none, empty signature",
            ),
            (
                format!("{none_header}.{payload}.{signature}"),
                InvalidToken::WrongAlgorithm,
                "alg none with a signature",
            ),
            (
                hs512,
                InvalidToken::WrongAlgorithm,
                "HS512 under the same secret",
            ),
            ("abc".into(), InvalidToken::Malformed, "one segment"),
            (
                format!("{header}.{payload}"),
                InvalidToken::Malformed,
                "two segments",
            ),
            (
                format!("{good}.extra"),
                InvalidToken::Malformed,
                "four segments",
            ),
            (
                format!("{header}.{payload}!.{signature}"),
                InvalidToken::Malformed,
                "bad base64",
            ),
            (
                format!("{}.{payload}.{signature}", b64(b"not json")),
                InvalidToken::Malformed,
                "header not JSON",
            ),
            (
                format!("{header}.{}.{signature}", b64(b"not json")),
                InvalidToken::Malformed,
                "payload not JSON",
            ),
            (
                format!("{header}.{payload}.{}", "A".repeat(MAX_TOKEN_BYTES)),
                InvalidToken::TooLong,
                "oversized",
            ),
        ];
        for (token, expected, why) in cases {
            assert_eq!(verify(&token), Err(expected), "{why}");
        }
    }

    #[test]
    fn payload_that_is_signed_but_not_json_claims_is_malformed() {
        let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = b64(b"[1,2,3]");
        let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(SECRET).unwrap();
        hmac::Mac::update(&mut mac, format!("{header}.{payload}").as_bytes());
        let signature = b64(&hmac::Mac::finalize(mac).into_bytes());
        assert_eq!(
            verify(&format!("{header}.{payload}.{signature}")),
            Err(InvalidToken::Malformed)
        );
    }

    #[test]
    fn the_leeway_tolerates_a_minute_of_clock_skew() {
        let just_expired = json!({"sub": "u", "exp": now().timestamp() - 59});
        assert_eq!(verify(&sign(just_expired, SECRET)), Ok("u".into()));
        let almost_valid =
            json!({"sub": "u", "exp": now().timestamp() + 600, "nbf": now().timestamp() + 59});
        assert_eq!(verify(&sign(almost_valid, SECRET)), Ok("u".into()));
    }

    #[test]
    fn reasons_never_contain_the_secret() {
        let secret = std::str::from_utf8(SECRET).unwrap();
        for reason in [
            InvalidToken::BadSignature,
            InvalidToken::Malformed,
            InvalidToken::Expired,
        ] {
            assert!(!reason.reason().contains(secret));
        }
        assert!(!format!("{:?}", JwtVerifier::hs256(SECRET)).contains(secret));
    }
}
