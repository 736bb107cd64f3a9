//! Tokens as a verifier sees them: the exact header and claims, the signature, `exp` clamped to
//! the license, rotation.

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{TimeZone, Utc};
use ed25519_compact::{KeyPair, PublicKey, Seed, Signature};
use serde_json::{json, Value};

use super::*;
use crate::domain::{CreateLicenseRequest, LicenseKey, LicenseStatus, ObjectId, OsRandom, UserId};

/// RFC 8037 appendix A's private key, and its thumbprint (A.3).
const RFC_JWK: &str = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
const RFC_KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
const ISSUER: &str = "https://licenses.example.com";

/// `LicenseTokens::issue`, run to completion: natively, signing never fails.
trait IssueNow {
    fn issue_now(
        &self,
        license: &License,
        seat: Seat<'_>,
        now: chrono::DateTime<Utc>,
        origin: &str,
        random: &mut impl RandomSource,
    ) -> Result<String, EntropyUnavailable>;
}

impl IssueNow for LicenseTokens {
    fn issue_now(
        &self,
        license: &License,
        seat: Seat<'_>,
        now: chrono::DateTime<Utc>,
        origin: &str,
        random: &mut impl RandomSource,
    ) -> Result<String, EntropyUnavailable> {
        pollster::block_on(self.issue(license, seat, now, origin, random))
            .map(|token| token.expect("native signing always signs"))
    }
}

/// Fills every buffer with one byte, so that `jti` is known.
struct Fixed(u8);

impl RandomSource for Fixed {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        buf.fill(self.0);
        Ok(())
    }
}

/// An `ACTIVE` 12-month license issued 2024-01-01, expiring 2025-01-01T00:00:00.000Z.
fn active_license() -> License {
    let request = CreateLicenseRequest::parse(
        br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}"#,
    )
    .unwrap();
    let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
    let mut license = License::issue(
        &request,
        UserId::parse("dev-1").unwrap(),
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap(),
        key,
    );
    license.status = LicenseStatus::Active;
    license
}

fn rfc_tokens(ttl_seconds: i64) -> LicenseTokens {
    LicenseTokens::new(parse_signing_keys(RFC_JWK).unwrap(), None, ttl_seconds)
}

/// The decoded header and payload of `token`, after checking its signature with `key`.
fn open(token: &str, key: &PublicKey) -> (String, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let signature =
        Signature::from_slice(&Base64UrlUnpadded::decode_vec(parts[2]).unwrap()).unwrap();
    key.verify(format!("{}.{}", parts[0], parts[1]), &signature)
        .expect("the signature verifies");
    let header = String::from_utf8(Base64UrlUnpadded::decode_vec(parts[0]).unwrap()).unwrap();
    let payload =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(parts[1]).unwrap()).unwrap();
    (header, payload)
}

fn rfc_public_key() -> PublicKey {
    parse_signing_keys(RFC_JWK).unwrap().published[0]
}

#[test]
fn a_token_has_exactly_the_specified_header_and_claims() {
    let license = active_license();
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap();
    let seat = Seat {
        machine_id: Some("machine-1"),
        instance_id: Some("instance-1"),
    };
    let token = rfc_tokens(DEFAULT_TTL_SECONDS)
        .issue_now(&license, seat, now, ISSUER, &mut Fixed(7))
        .unwrap();
    let (header, claims) = open(&token, &rfc_public_key());
    assert_eq!(
        header,
        format!(r#"{{"alg":"EdDSA","typ":"license+jwt","kid":"{RFC_KID}"}}"#)
    );
    let iat = now.timestamp();
    assert_eq!(
        claims,
        json!({
            "iss": ISSUER,
            "sub": license.key.as_str(),
            "iat": iat,
            "nbf": iat,
            "exp": iat + 604_800,
            "jti": Base64UrlUnpadded::encode_string(&[7; 16]),
            "status": "ACTIVE",
            "services": ["Hosting", "Domain"],
            "project": "60f7b3b3e6b3a72e8c8e4a1b",
            "client": "60f7b3b3e6b3a72e8c8e4a1a",
            "licenseExpiresAt": "2025-01-01T00:00:00.000Z",
            "machineId": "machine-1",
            "instanceId": "instance-1",
        })
    );
}

#[test]
fn the_seat_claims_appear_only_when_the_request_named_them() {
    let license = active_license();
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap();
    let tokens = rfc_tokens(60);
    let claims_of = |seat: Seat<'_>| {
        let token = tokens
            .issue_now(&license, seat, now, ISSUER, &mut OsRandom)
            .unwrap();
        open(&token, &rfc_public_key()).1
    };
    let none = claims_of(Seat::default());
    assert!(
        none.get("machineId").is_none() && none.get("instanceId").is_none(),
        "{none}"
    );
    let machine = claims_of(Seat {
        machine_id: Some("m"),
        instance_id: None,
    });
    assert_eq!(machine["machineId"], "m");
    assert!(machine.get("instanceId").is_none());
    assert_ne!(none["jti"], machine["jti"], "a fresh jti per token");
}

#[test]
fn exp_never_passes_the_license_expiry() {
    let mut license = active_license();
    // 2025-01-01T00:00:00.750Z: the fraction is dropped, never rounded up.
    license.expires_at = Utc.timestamp_millis_opt(1_735_689_600_750).unwrap();
    let now = Utc.with_ymd_and_hms(2024, 12, 30, 0, 0, 0).unwrap();
    let claims = LicenseClaims::new(
        &license,
        Seat::default(),
        now,
        DEFAULT_TTL_SECONDS,
        ISSUER,
        &mut Fixed(0),
    )
    .unwrap();
    assert_eq!(claims.exp, 1_735_689_600);
    assert_eq!(claims.iat, now.timestamp());
    assert_eq!(claims.license_expires_at, "2025-01-01T00:00:00.750Z");
    // Far from the expiry, the TTL decides.
    let early = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
    let claims = LicenseClaims::new(
        &license,
        Seat::default(),
        early,
        3600,
        ISSUER,
        &mut Fixed(0),
    )
    .unwrap();
    assert_eq!(claims.exp, early.timestamp() + 3600);
}

#[test]
fn the_payload_text_is_the_claims_serialize_shape_byte_for_byte() {
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let seats = [
        Seat::default(),
        Seat {
            machine_id: Some("m \"1\""),
            instance_id: Some("i\n"),
        },
        Seat {
            machine_id: None,
            instance_id: Some("i"),
        },
    ];
    for seat in seats {
        let claims =
            LicenseClaims::new(&active_license(), seat, now, 60, ISSUER, &mut Fixed(7)).unwrap();
        assert_eq!(claims.to_json(), serde_json::to_string(&claims).unwrap());
    }
}

#[test]
fn the_configured_issuer_replaces_the_request_origin() {
    let tokens = LicenseTokens::new(
        parse_signing_keys(RFC_JWK).unwrap(),
        Some("https://issuer.example".into()),
        60,
    );
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let token = tokens
        .issue_now(
            &active_license(),
            Seat::default(),
            now,
            "http://127.0.0.1:8787",
            &mut OsRandom,
        )
        .unwrap();
    assert_eq!(
        open(&token, &rfc_public_key()).1["iss"],
        "https://issuer.example"
    );
}

#[test]
fn without_randomness_no_token_is_issued() {
    struct Broken;
    impl RandomSource for Broken {
        fn fill(&mut self, _: &mut [u8]) -> Result<(), EntropyUnavailable> {
            Err(EntropyUnavailable)
        }
    }
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let issued =
        rfc_tokens(60).issue_now(&active_license(), Seat::default(), now, ISSUER, &mut Broken);
    assert_eq!(issued, Err(EntropyUnavailable));
}

#[test]
fn with_two_keys_the_first_signs_and_both_are_published() {
    let second = KeyPair::from_seed(Seed::new([3; 32]));
    let set = json!({"keys": [
        serde_json::from_str::<Value>(RFC_JWK).unwrap(),
        {"kty": "OKP", "crv": "Ed25519", "d": Base64UrlUnpadded::encode_string(&second.sk.seed()[..])},
    ]});
    let tokens = LicenseTokens::new(parse_signing_keys(&set.to_string()).unwrap(), None, 60);
    assert_eq!(tokens.signer.kid(), RFC_KID);
    let published: Value = serde_json::from_str(&tokens.jwks).unwrap();
    assert_eq!(
        published,
        json!({"keys": [
            serde_json::from_str::<Value>(&public_jwk(&rfc_public_key())).unwrap(),
            serde_json::from_str::<Value>(&public_jwk(&second.pk)).unwrap(),
        ]})
    );
    assert_eq!(published["keys"][0]["kid"], RFC_KID);
    assert_eq!(published["keys"][1]["kid"], kid_of(&second.pk));
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let token = tokens
        .issue_now(
            &active_license(),
            Seat::default(),
            now,
            ISSUER,
            &mut OsRandom,
        )
        .unwrap();
    open(&token, &rfc_public_key());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature =
        Signature::from_slice(&Base64UrlUnpadded::decode_vec(signature).unwrap()).unwrap();
    assert!(
        second.pk.verify(input, &signature).is_err(),
        "not signed by the second key"
    );
}

#[test]
fn signing_is_deterministic_rfc_8032_ed25519() {
    // RFC 8037 appendix A.4: the same key signs the same input to the same signature.
    let keys = parse_signing_keys(RFC_JWK).unwrap();
    let signature = keys.signing.sign(
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc",
        None,
    );
    assert_eq!(
        Base64UrlUnpadded::encode_string(&signature[..]),
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
}

#[test]
fn the_signer_never_shows_its_key_in_debug_output() {
    let tokens = rfc_tokens(60);
    assert_eq!(
        format!("{:?}", tokens.signer),
        format!(r#"LicenseTokenSigner {{ kid: "{RFC_KID}", .. }}"#)
    );
}
