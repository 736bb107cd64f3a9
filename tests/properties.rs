//! Property tests of the pure core: whatever the input, parsing never panics and every
//! accepted value satisfies the contract's rules.
#![cfg(not(target_arch = "wasm32"))]

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use keybox::auth::jwks::{JwksDocument, JwksPolicy};
use keybox::domain::{
    add_months, format_timestamp, CreateLicenseRequest, EntropyUnavailable, LicenseKey, ObjectId,
    ObjectIdGenerator, RandomSource, RequestError, KEY_ALPHABET, MAX_BODY_BYTES,
};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Replays bytes chosen by proptest (cycling), so key generation is explored deterministically.
struct Scripted(Vec<u8>, usize);

impl RandomSource for Scripted {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        for b in buf {
            *b = self.0[self.1 % self.0.len()];
            self.1 += 1;
        }
        Ok(())
    }
}

fn last_day(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .unwrap()
        .pred_opt()
        .unwrap()
        .day()
}

/// Arbitrary JSON values, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::from),
        (1u8..=12).prop_map(Value::from),
        Just(json!("60f7b3b3e6b3a72e8c8e4a1b")),
        Just(json!(["Hosting", "Domain"])),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::hash_map("\\PC{0,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies that look like create requests, each field either sensible or arbitrary.
fn create_body() -> impl Strategy<Value = Value> {
    let field = |good: Value| prop_oneof![3 => Just(Some(good)), 1 => json_value().prop_map(Some), 1 => Just(None)];
    (
        field(json!(6)),
        field(json!("60f7b3b3e6b3a72e8c8e4a1a")),
        field(json!("60f7b3b3e6b3a72e8c8e4a1b")),
        field(json!(["Domain"])),
    )
        .prop_map(|(duration, client, project, services)| {
            let mut body = serde_json::Map::new();
            for (name, value) in [
                ("duration", duration),
                ("clientId", client),
                ("projectId", project),
                ("services", services),
            ] {
                if let Some(value) = value {
                    body.insert(name.into(), value);
                }
            }
            Value::Object(body)
        })
}

/// base64url text of a few lengths around real key sizes (and some that is not base64url).
fn key_field() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300)
            .prop_map(|bytes| Value::from(Base64UrlUnpadded::encode_string(&bytes))),
        prop::collection::vec(any::<u8>(), 31..34)
            .prop_map(|bytes| Value::from(Base64UrlUnpadded::encode_string(&bytes))),
        Just(json!("AQAB")),
        json_value(),
    ]
}

/// JWKs whose every field is plausible or arbitrary: the shapes a provider (or an attacker
/// in its place) could send.
fn jwk() -> impl Strategy<Value = Value> {
    let pick = |options: &'static [&'static str]| {
        prop_oneof![
            4 => prop::sample::select(options).prop_map(|s| Some(json!(s))),
            1 => json_value().prop_map(Some),
            1 => Just(None),
        ]
    };
    (
        pick(&["RSA", "EC", "OKP", "oct", "RSA-PSS"]),
        pick(&["P-256", "P-384", "Ed25519", "X25519", "secp256k1"]),
        pick(&["RS256", "PS256", "ES256", "EdDSA", "HS256", "none"]),
        pick(&["sig", "enc"]),
        prop::collection::vec(
            (
                prop::sample::select(&["n", "e", "x", "y", "d", "k", "kid"][..]),
                key_field(),
            ),
            0..6,
        ),
    )
        .prop_map(|(kty, crv, alg, usage, fields)| {
            let mut jwk = serde_json::Map::new();
            for (name, value) in [("kty", kty), ("crv", crv), ("alg", alg), ("use", usage)] {
                if let Some(value) = value {
                    jwk.insert(name.into(), value);
                }
            }
            for (name, value) in fields {
                jwk.insert(name.into(), value);
            }
            Value::Object(jwk)
        })
}

/// JWKS bodies: well-formed documents of arbitrary keys, other JSON, and arbitrary text.
fn jwks_body() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(jwk(), 0..5).prop_map(|keys| json!({ "keys": keys }).to_string()),
        1 => json_value().prop_map(|v| json!({ "keys": v }).to_string()),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// `Cache-Control` values: directives with numbers of any size and sign, or arbitrary text.
fn cache_control() -> impl Strategy<Value = Option<String>> {
    let directive = prop_oneof![
        (
            "(max-age|s-maxage|MAX-AGE)",
            "[-+]?[0-9]{0,30}",
            any::<bool>()
        )
            .prop_map(|(name, value, quoted)| {
                if quoted {
                    format!("{name}=\"{value}\"")
                } else {
                    format!("{name}={value}")
                }
            }),
        Just("no-store".to_owned()),
        Just("no-cache".to_owned()),
        Just("public".to_owned()),
        "\\PC{0,20}",
    ];
    prop_oneof![
        1 => Just(None),
        4 => prop::collection::vec(directive, 0..4).prop_map(|d| Some(d.join(", "))),
        1 => "\\PC{0,60}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_jwks_answer_never_panics_the_parser_and_stays_within_the_policy(
        body in jwks_body(),
        cache_control in cache_control(),
    ) {
        let policy = JwksPolicy::default();
        let within = |ttl| policy.min_ttl <= ttl && ttl <= policy.max_ttl;
        let ttl = policy.ttl(cache_control.as_deref());
        prop_assert!(within(ttl), "{:?} for {:?}", ttl, cache_control);
        let document = JwksDocument { body, cache_control };
        if let Some((keys, ttl)) = document.parse(&policy) {
            prop_assert!(!keys.is_empty());
            prop_assert!(within(ttl));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = CreateLicenseRequest::parse(&bytes);
    }

    #[test]
    fn arbitrary_json_is_accepted_only_when_every_rule_holds(body in create_body()) {
        let text = body.to_string();
        match CreateLicenseRequest::parse(text.as_bytes()) {
            Ok(request) => {
                let duration = body["duration"].as_u64().unwrap();
                prop_assert!((1..=12).contains(&duration));
                prop_assert_eq!(u64::from(request.duration.months()), duration);
                let lower = |field: &str| body[field].as_str().map(str::to_ascii_lowercase);
                prop_assert_eq!(Some(request.client.to_string()), lower("clientId"));
                prop_assert_eq!(Some(request.project.to_string()), lower("projectId"));
                prop_assert!(!request.services.as_slice().is_empty());
            }
            Err(RequestError::InvalidDuration) => {
                let ok = body.get("duration").and_then(Value::as_u64).is_some_and(|d| (1..=12).contains(&d));
                prop_assert!(!ok, "a valid duration was refused: {}", text);
            }
            Err(RequestError::ClientAndProjectRequired) => {
                let present = |f: &str| body.get(f).is_some_and(|v| !v.is_null() && v != "");
                prop_assert!(!(present("clientId") && present("projectId")), "{}", text);
            }
            Err(RequestError::InvalidClientId) => prop_assert!(ObjectId::parse(body["clientId"].as_str().unwrap_or("")).is_err()),
            Err(RequestError::InvalidProjectId) => prop_assert!(ObjectId::parse(body["projectId"].as_str().unwrap_or("")).is_err()),
            Err(RequestError::InvalidServices) => prop_assert!(body.get("services").is_some_and(|s| !s.is_null())),
            Err(other) => prop_assert!(false, "{:?} for a JSON object body: {}", other, text),
        }
    }

    #[test]
    fn oversized_bodies_are_refused_before_parsing(extra in 1usize..4096) {
        let body = vec![b' '; MAX_BODY_BYTES + extra];
        prop_assert_eq!(CreateLicenseRequest::parse(&body), Err(RequestError::BodyTooLarge));
    }

    #[test]
    fn keys_always_match_the_documented_format(id in any::<[u8; 12]>(), bytes in prop::collection::vec(any::<u8>(), 1..64)) {
        // All-rejected byte streams (only 252..=255) would never yield a character.
        prop_assume!(bytes.iter().any(|&b| b < 252));
        let project = ObjectId::from_bytes(id);
        let key = LicenseKey::generate(&project, &mut Scripted(bytes, 0)).unwrap();
        let rest = key.as_str().strip_prefix(&format!("KB-{project}-")).unwrap();
        let segments: Vec<&str> = rest.split('-').collect();
        prop_assert_eq!(segments.len(), 3);
        for segment in segments {
            prop_assert_eq!(segment.len(), 4);
            prop_assert!(segment.bytes().all(|c| KEY_ALPHABET.contains(&c)));
        }
    }

    #[test]
    fn object_ids_round_trip_through_text_in_either_case(bytes in any::<[u8; 12]>(), upper in any::<bool>()) {
        let id = ObjectId::from_bytes(bytes);
        let text = if upper { id.to_string().to_ascii_uppercase() } else { id.to_string() };
        prop_assert_eq!(ObjectId::parse(&text), Ok(id));
        prop_assert_eq!(id.to_string().len(), 24);
    }

    #[test]
    fn generated_object_ids_carry_their_second_and_stay_distinct(seconds in any::<u32>(), unique in any::<[u8; 5]>(), start in any::<u32>()) {
        let generator = ObjectIdGenerator::new(unique, start);
        let ids: Vec<_> = (0..64).map(|_| generator.generate(seconds)).collect();
        for id in &ids {
            prop_assert_eq!(id.timestamp(), seconds);
            prop_assert_eq!(&id.bytes()[4..9], &unique[..]);
        }
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        prop_assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn adding_months_lands_in_the_right_month_on_a_clamped_day(
        millis in 0i64..4_102_444_800_000, // 1970 to 2100
        months in 1u8..=12,
    ) {
        let start = DateTime::<Utc>::from_timestamp_millis(millis).unwrap();
        let end = add_months(start, months);
        let total = start.month0() + u32::from(months);
        let (year, month) = (start.year() + (total / 12) as i32, total % 12 + 1);
        prop_assert_eq!((end.year(), end.month()), (year, month));
        prop_assert_eq!(end.day(), start.day().min(last_day(year, month)));
        prop_assert_eq!((end.hour(), end.minute(), end.second(), end.nanosecond()), (start.hour(), start.minute(), start.second(), start.nanosecond()));
        prop_assert!(end > start);
        let text = format_timestamp(end);
        prop_assert_eq!(text.len(), 24);
        prop_assert!(text.ends_with('Z'));
    }
}
