//! The token's shape before any signature: three base64url parts, JSON objects without
//! duplicated names, a string `alg`, no `crit`, a size limit, and `kid` selecting the key.

use serde_json::json;

use super::*;
use crate::auth::testing::{b64, sign_raw};

#[test]
fn malformed_tokens_and_headers_get_their_exact_reason() {
    let exp = at(3600);
    let claims = valid_claims().to_string();
    let good = hs256(&valid_claims());
    let (header, rest) = good.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let malformed = |token: String, why: &'static str| -> Case {
        (token, secret(), Err(InvalidToken::Malformed), why)
    };
    assert_cases(vec![
        (
            sign_raw(
                Alg::Hs256,
                r#"{"alg":"HS256"}"#,
                &format!(r#"{{"sub":"user-1","sub":"admin","exp":{exp}}}"#),
            ),
            secret(),
            Err(InvalidToken::DuplicateClaim),
            "duplicated sub",
        ),
        (
            sign_raw(Alg::Hs256, r#"{"alg":"HS256","alg":"none"}"#, &claims),
            secret(),
            Err(InvalidToken::DuplicateClaim),
            "duplicated alg",
        ),
        (
            sign_raw(Alg::Hs256, r#"{"alg":"HS256","crit":["exp"]}"#, &claims),
            secret(),
            Err(InvalidToken::CriticalHeader),
            "crit header",
        ),
        (
            format!("{header}.{payload}.{}", "A".repeat(MAX_TOKEN_BYTES)),
            secret(),
            Err(InvalidToken::TooLong),
            "oversized",
        ),
        malformed(
            sign_raw(Alg::Hs256, r#"{"alg":"HS256","kid":7}"#, &claims),
            "numeric kid",
        ),
        malformed(sign_raw(Alg::Hs256, r#"{"typ":"JWT"}"#, &claims), "no alg"),
        malformed(
            sign_raw(Alg::Hs256, r#"{"alg":"HS256"}"#, "[1,2,3]"),
            "payload an array",
        ),
        malformed(
            sign_raw(Alg::Hs256, r#"{"alg":"HS256"}"#, "not json"),
            "payload not JSON",
        ),
        malformed(
            format!("{}.{payload}.{signature}", b64(b"not json")),
            "header not JSON",
        ),
        malformed(
            format!("{header}.{payload}!.{signature}"),
            "bad base64 in the payload",
        ),
        malformed(
            format!("{header}.{payload}.{signature}="),
            "padded signature",
        ),
        malformed(
            format!("{header}.{payload}.{signature}+/"),
            "standard base64 alphabet",
        ),
        malformed("abc".into(), "one segment"),
        malformed(format!("{header}.{payload}"), "two segments"),
        malformed(format!("{good}.extra"), "four segments"),
        malformed(format!("{good}."), "trailing dot"),
    ]);
}

#[test]
fn a_kid_selects_the_key_and_a_key_without_kid_matches_any() {
    let with_kid = |kid: &str| {
        let mut key = Key::secret(SECRET, Alg::Hs256).unwrap();
        key.kid = Some(kid.into());
        vec![key]
    };
    assert_cases(vec![
        (
            sign(Alg::Hs256, Some("b"), &valid_claims()),
            with_kid("a"),
            Err(InvalidToken::UnknownKey),
            "unknown kid",
        ),
        (
            sign(Alg::Hs256, Some("a"), &valid_claims()),
            with_kid("a"),
            Ok("user-1".into()),
            "known kid",
        ),
        (
            sign(Alg::Hs256, Some("any"), &valid_claims()),
            secret(),
            Ok("user-1".into()),
            "a key without kid matches any kid",
        ),
    ]);
    let unsigned = json!({"alg": "HS256", "kid": "a"}).to_string();
    assert_eq!(
        UntrustedJwt::parse(&sign_raw(Alg::Hs256, &unsigned, "{}"))
            .unwrap()
            .kid
            .as_deref(),
        Some("a"),
        "the parser reads kid as written"
    );
}
