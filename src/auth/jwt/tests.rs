use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::auth::testing::{b64, public_jwk, sign, sign_raw, test_keys, verifying_key, SECRET};
use crate::auth::{authenticate, AuthError, NoRemoteKeys, Verifier};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn at(offset: i64) -> i64 {
    now().timestamp() + offset
}

fn valid_claims() -> Value {
    json!({"sub": "user-1", "exp": at(3600)})
}

fn hs256(claims: &Value) -> String {
    sign(Alg::Hs256, None, claims)
}

fn run(token: &str, verifier: &Verifier) -> Result<String, InvalidToken> {
    let header = format!("Bearer {token}");
    match pollster::block_on(authenticate(Some(&header), verifier, &NoRemoteKeys, now())) {
        Ok(user) => Ok(user.as_str().to_owned()),
        Err(AuthError::Invalid(why)) => Err(why),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

fn with_keys(keys: Vec<Key>) -> Verifier {
    Verifier {
        keys,
        ..Verifier::default()
    }
}

fn secret_verifier() -> Verifier {
    Verifier::hs256(SECRET)
}

#[test]
fn a_valid_token_yields_its_subject() {
    assert_eq!(
        run(&hs256(&valid_claims()), &secret_verifier()),
        Ok("user-1".into())
    );
}

#[test]
fn every_algorithm_verifies_with_its_key_and_only_with_its_key() {
    for alg in Alg::ALL {
        let token = sign(alg, None, &valid_claims());
        assert_eq!(
            run(&token, &with_keys(vec![verifying_key(alg, None)])),
            Ok("user-1".into()),
            "{}",
            alg.name()
        );
        for other in Alg::ALL.into_iter().filter(|o| *o != alg) {
            assert_eq!(
                run(&token, &with_keys(vec![verifying_key(other, None)])),
                Err(InvalidToken::WrongAlgorithm),
                "{} token, {} key",
                alg.name(),
                other.name()
            );
        }
    }
}

#[test]
fn the_original_keybox_user_id_claim_is_used_when_there_is_no_subject() {
    let claims = json!({"userId": "60f7b3b3e6b3a72e8c8e4a1a", "email": "a@b.c", "exp": at(60)});
    assert_eq!(
        run(&hs256(&claims), &secret_verifier()),
        Ok("60f7b3b3e6b3a72e8c8e4a1a".into())
    );
    let both = json!({"sub": "from-sub", "userId": "from-user-id", "exp": at(60)});
    assert_eq!(
        run(&hs256(&both), &secret_verifier()),
        Ok("from-sub".into())
    );
}

#[test]
fn the_user_id_claim_is_configurable() {
    let mut verifier = secret_verifier();
    verifier.rules.user_claims = vec!["uid".into()];
    let token = hs256(&json!({"sub": "ignored", "uid": "u-42", "exp": at(60)}));
    assert_eq!(run(&token, &verifier), Ok("u-42".into()));
    let without = hs256(&json!({"sub": "ignored", "exp": at(60)}));
    assert_eq!(run(&without, &verifier), Err(InvalidToken::NoUserId));
}

#[test]
fn issuer_and_audience_are_checked_when_configured() {
    let mut verifier = secret_verifier();
    verifier.rules.issuer = Some("https://issuer.example/".into());
    verifier.rules.audiences = vec!["keybox".into(), "keybox-staging".into()];
    let token = |extra: Value| {
        let mut claims = valid_claims();
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        hs256(&claims)
    };
    let iss = "https://issuer.example/";
    let cases = [
        (
            json!({"iss": iss, "aud": "keybox"}),
            Ok("user-1".to_owned()),
            "aud string",
        ),
        (
            json!({"iss": iss, "aud": ["other", "keybox-staging"]}),
            Ok("user-1".into()),
            "aud array containing ours",
        ),
        (
            json!({"iss": iss, "aud": ["other", "another"]}),
            Err(InvalidToken::WrongAudience),
            "aud array without ours",
        ),
        (
            json!({"iss": iss, "aud": "KEYBOX"}),
            Err(InvalidToken::WrongAudience),
            "aud is case-sensitive",
        ),
        (
            json!({"iss": iss, "aud": 7}),
            Err(InvalidToken::WrongAudience),
            "aud not a string",
        ),
        (
            json!({"iss": iss}),
            Err(InvalidToken::WrongAudience),
            "no aud",
        ),
        (
            json!({"iss": "https://evil.example/", "aud": "keybox"}),
            Err(InvalidToken::WrongIssuer),
            "wrong iss",
        ),
        (
            json!({"iss": "https://issuer.example", "aud": "keybox"}),
            Err(InvalidToken::WrongIssuer),
            "iss must match exactly",
        ),
        (
            json!({"aud": "keybox"}),
            Err(InvalidToken::WrongIssuer),
            "no iss",
        ),
    ];
    for (extra, expected, why) in cases {
        assert_eq!(run(&token(extra), &verifier), expected, "{why}");
    }
    let unconfigured = hs256(&json!({"sub": "u", "exp": at(60), "iss": "x", "aud": "y"}));
    assert_eq!(
        run(&unconfigured, &secret_verifier()),
        Ok("u".into()),
        "not checked unless set"
    );
}

/// The attack and edge-case table: each token, the keys configured, and the exact outcome.
#[test]
fn attacks_and_malformed_tokens_get_their_exact_reason() {
    let exp = at(3600);
    let good = hs256(&valid_claims());
    let (header, rest) = good.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let forged_payload = b64(json!({"sub": "admin", "exp": exp}).to_string().as_bytes());
    let claims = valid_claims().to_string();
    let rsa_key = || vec![verifying_key(Alg::Rs256, None)];
    let secret = || vec![Key::secret(SECRET, Alg::Hs256).unwrap()];

    // HS256 signed with the RSA public key (its JWK text) as the HMAC secret.
    let public_as_secret = {
        let input = format!("{}.{}", b64(br#"{"alg":"HS256"}"#), b64(claims.as_bytes()));
        let jwk = public_jwk(Alg::Rs256, "k").to_string();
        let key = jwt_compact::alg::Hs256Key::new(jwk.as_bytes());
        let sig = jwt_compact::Algorithm::sign(&jwt_compact::alg::Hs256, &key, input.as_bytes());
        format!(
            "{input}.{}",
            b64(jwt_compact::AlgorithmSignature::as_bytes(&sig).as_ref())
        )
    };
    let other_p256 = {
        let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let input = format!("{}.{}", b64(br#"{"alg":"ES256"}"#), b64(claims.as_bytes()));
        let sig = jwt_compact::Algorithm::sign(&jwt_compact::alg::Es256, &key, input.as_bytes());
        format!(
            "{input}.{}",
            b64(jwt_compact::AlgorithmSignature::as_bytes(&sig).as_ref())
        )
    };
    let mut flipped = Base64UrlUnpadded::decode_vec(signature).unwrap();
    flipped[0] ^= 1;
    let with_kid = |kid: &str| {
        let mut key = Key::secret(SECRET, Alg::Hs256).unwrap();
        key.kid = Some(kid.into());
        vec![key]
    };
    let none = |name: &str| {
        format!(
            "{}.{payload}.",
            b64(format!(r#"{{"alg":"{name}"}}"#).as_bytes())
        )
    };

    type Case = (String, Vec<Key>, Result<String, InvalidToken>, &'static str);
    let cases: Vec<Case> = vec![
        (
            none("none"),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "alg none, empty signature",
        ),
        (
            none("None"),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "alg None",
        ),
        (
            format!("{}.{payload}.{signature}", b64(br#"{"alg":"none"}"#)),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "alg none with a signature",
        ),
        (
            none("hs256"),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "alg names are case-sensitive",
        ),
        (
            public_as_secret,
            rsa_key(),
            Err(InvalidToken::WrongAlgorithm),
            "HS256 signed with the RSA public key",
        ),
        (
            sign(Alg::Hs512, None, &valid_claims()),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "HS512 under the HS256 secret",
        ),
        (
            sign(Alg::Rs256, None, &valid_claims()),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "RS256 with only a secret configured",
        ),
        (
            sign(Alg::Ps256, None, &valid_claims()),
            rsa_key(),
            Err(InvalidToken::WrongAlgorithm),
            "PS256 under an RS256 key",
        ),
        (
            sign_raw(Alg::Hs256, r#"{"alg":"ES256"}"#, &claims),
            secret(),
            Err(InvalidToken::WrongAlgorithm),
            "header lies about alg",
        ),
        (
            other_p256,
            vec![verifying_key(Alg::Es256, None)],
            Err(InvalidToken::BadSignature),
            "ES256 from another key",
        ),
        (
            sign_raw(Alg::Rs256, r#"{"alg":"PS256"}"#, &claims),
            vec![verifying_key(Alg::Ps256, None)],
            Err(InvalidToken::BadSignature),
            "RS256 signature labelled PS256",
        ),
        (
            hs256(&valid_claims()),
            vec![Key::secret(b"another-secret", Alg::Hs256).unwrap()],
            Err(InvalidToken::BadSignature),
            "wrong secret",
        ),
        (
            format!("{header}.{forged_payload}.{signature}"),
            secret(),
            Err(InvalidToken::BadSignature),
            "tampered payload",
        ),
        (
            format!(
                "{}.{payload}.{signature}",
                b64(br#"{"alg":"HS256","typ":"JWT","kid":"x"}"#)
            ),
            secret(),
            Err(InvalidToken::BadSignature),
            "tampered header",
        ),
        (
            format!("{header}.{payload}.{}", b64(&flipped)),
            secret(),
            Err(InvalidToken::BadSignature),
            "tampered signature",
        ),
        (
            format!("{header}.{payload}.{}", &signature[..20]),
            secret(),
            Err(InvalidToken::BadSignature),
            "truncated signature",
        ),
        (
            format!("{header}.{payload}."),
            secret(),
            Err(InvalidToken::BadSignature),
            "empty signature",
        ),
        (
            hs256(&json!({"sub": "u", "exp": at(-61)})),
            secret(),
            Err(InvalidToken::Expired),
            "expired beyond the leeway",
        ),
        (
            hs256(&json!({"sub": "u", "exp": at(-59)})),
            secret(),
            Ok("u".into()),
            "expired within the leeway",
        ),
        (
            hs256(&json!({"sub": "u", "exp": at(60) as f64 + 0.5})),
            secret(),
            Ok("u".into()),
            "fractional exp",
        ),
        (
            hs256(&json!({"sub": "u"})),
            secret(),
            Err(InvalidToken::MissingExpiry),
            "no exp",
        ),
        (
            hs256(&json!({"sub": "u", "exp": exp.to_string()})),
            secret(),
            Err(InvalidToken::Malformed),
            "exp as a string",
        ),
        (
            hs256(&json!({"sub": "u", "exp": exp, "nbf": at(61)})),
            secret(),
            Err(InvalidToken::NotYetValid),
            "nbf in the future",
        ),
        (
            hs256(&json!({"sub": "u", "exp": exp, "nbf": at(59)})),
            secret(),
            Ok("u".into()),
            "nbf within the leeway",
        ),
        (
            hs256(&json!({"sub": "u", "exp": exp, "iat": at(61)})),
            secret(),
            Err(InvalidToken::IssuedInFuture),
            "iat in the future",
        ),
        (
            hs256(&json!({"sub": "u", "exp": exp, "iat": at(-3000)})),
            secret(),
            Ok("u".into()),
            "iat in the past",
        ),
        (
            hs256(&json!({"exp": exp})),
            secret(),
            Err(InvalidToken::NoUserId),
            "no sub nor userId",
        ),
        (
            hs256(&json!({"sub": "", "exp": exp})),
            secret(),
            Err(InvalidToken::NoUserId),
            "blank sub",
        ),
        (
            hs256(&json!({"sub": 42, "exp": exp})),
            secret(),
            Err(InvalidToken::NoUserId),
            "numeric sub",
        ),
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
            sign_raw(Alg::Hs256, r#"{"alg":"HS256","kid":7}"#, &claims),
            secret(),
            Err(InvalidToken::Malformed),
            "numeric kid",
        ),
        (
            sign_raw(Alg::Hs256, r#"{"typ":"JWT"}"#, &claims),
            secret(),
            Err(InvalidToken::Malformed),
            "no alg",
        ),
        (
            sign_raw(Alg::Hs256, r#"{"alg":"HS256"}"#, "[1,2,3]"),
            secret(),
            Err(InvalidToken::Malformed),
            "payload an array",
        ),
        (
            sign_raw(Alg::Hs256, r#"{"alg":"HS256"}"#, "not json"),
            secret(),
            Err(InvalidToken::Malformed),
            "payload not JSON",
        ),
        (
            format!("{}.{payload}.{signature}", b64(b"not json")),
            secret(),
            Err(InvalidToken::Malformed),
            "header not JSON",
        ),
        (
            format!("{header}.{payload}!.{signature}"),
            secret(),
            Err(InvalidToken::Malformed),
            "bad base64 in the payload",
        ),
        (
            format!("{header}.{payload}.{signature}="),
            secret(),
            Err(InvalidToken::Malformed),
            "padded signature",
        ),
        (
            format!("{header}.{payload}.{signature}+/"),
            secret(),
            Err(InvalidToken::Malformed),
            "standard base64 alphabet",
        ),
        (
            "abc".into(),
            secret(),
            Err(InvalidToken::Malformed),
            "one segment",
        ),
        (
            format!("{header}.{payload}"),
            secret(),
            Err(InvalidToken::Malformed),
            "two segments",
        ),
        (
            format!("{good}.extra"),
            secret(),
            Err(InvalidToken::Malformed),
            "four segments",
        ),
        (
            format!("{good}."),
            secret(),
            Err(InvalidToken::Malformed),
            "trailing dot",
        ),
        (
            format!("{header}.{payload}.{}", "A".repeat(MAX_TOKEN_BYTES)),
            secret(),
            Err(InvalidToken::TooLong),
            "oversized",
        ),
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
    ];
    for (token, keys, expected, why) in cases {
        assert_eq!(run(&token, &with_keys(keys)), expected, "{why}");
    }
}

#[test]
fn the_leeway_is_configurable() {
    let mut strict = secret_verifier();
    strict.rules.leeway = TimeDelta::zero();
    assert_eq!(
        run(&hs256(&json!({"sub": "u", "exp": at(-1)})), &strict),
        Err(InvalidToken::Expired)
    );
    assert_eq!(
        run(
            &hs256(&json!({"sub": "u", "exp": at(-1)})),
            &secret_verifier()
        ),
        Ok("u".into())
    );
}

#[test]
fn the_signature_check_is_a_trait_so_claims_are_testable_without_crypto() {
    struct AcceptAll;
    impl crate::auth::keys::SignatureCheck for AcceptAll {
        fn verify(&self, _: &[u8], _: &[u8]) -> bool {
            true
        }
    }
    struct RejectAll;
    impl crate::auth::keys::SignatureCheck for RejectAll {
        fn verify(&self, _: &[u8], _: &[u8]) -> bool {
            false
        }
    }
    let token = format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"ES256"}"#),
        b64(valid_claims().to_string().as_bytes())
    );
    let accept = with_keys(vec![Key::new(None, Alg::Es256, Box::new(AcceptAll))]);
    assert_eq!(run(&token, &accept), Ok("user-1".into()));
    let reject = with_keys(vec![Key::new(None, Alg::Es256, Box::new(RejectAll))]);
    assert_eq!(run(&token, &reject), Err(InvalidToken::BadSignature));
}

#[test]
fn pem_public_keys_load_for_each_key_type() {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let keys = test_keys();
    let pem = |label: &str, der: &[u8]| {
        let body = base64ct::Base64::encode_string(der);
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    };
    let rsa_pem = rsa::RsaPublicKey::from(&keys.rsa)
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let p256_der = [
        &crate::auth::keys::P256_SPKI_PREFIX[..],
        keys.p256.verifying_key().to_encoded_point(false).as_bytes(),
    ]
    .concat();
    let ed_der = [
        &crate::auth::keys::ED25519_SPKI_PREFIX[..],
        &keys.ed25519.pk[..],
    ]
    .concat();
    let cases = [
        (rsa_pem.clone(), None, Alg::Rs256),
        (rsa_pem, Some(Alg::Ps256), Alg::Ps256),
        (pem("PUBLIC KEY", &p256_der), None, Alg::Es256),
        (pem("PUBLIC KEY", &ed_der), None, Alg::EdDsa),
    ];
    for (text, configured, alg) in cases {
        let key = Key::from_pem(&text, configured).unwrap();
        assert_eq!(key.alg, alg);
        let token = sign(alg, None, &valid_claims());
        assert_eq!(
            run(&token, &with_keys(vec![key])),
            Ok("user-1".into()),
            "{}",
            alg.name()
        );
    }
    assert!(Key::from_pem(&pem("PUBLIC KEY", &ed_der), Some(Alg::Rs256)).is_err());
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
    assert!(!format!("{:?}", Verifier::hs256(SECRET)).contains(secret));
}

#[test]
fn signatures_of_any_length_are_refused_without_panicking() {
    let claims = valid_claims().to_string();
    for alg in Alg::ALL {
        let header = format!(r#"{{"alg":"{}"}}"#, alg.name());
        let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        for len in [0, 1, 31, 32, 33, 47, 48, 63, 64, 65, 255, 256, 257, 600] {
            let token = format!("{input}.{}", b64(&vec![7u8; len]));
            assert_eq!(
                run(&token, &with_keys(vec![verifying_key(alg, None)])),
                Err(InvalidToken::BadSignature),
                "{} with a {len}-byte signature",
                alg.name()
            );
        }
    }
}

/// A JWKS stand-in holding fixed keys, counting calls.
struct FixedRemote(Vec<(Alg, &'static str)>, std::cell::Cell<u32>);

impl crate::auth::RemoteKeys for FixedRemote {
    async fn keys(
        &self,
        _: Option<&str>,
        _: DateTime<Utc>,
    ) -> Result<std::rc::Rc<Vec<Key>>, crate::auth::KeysUnavailable> {
        self.1.set(self.1.get() + 1);
        Ok(std::rc::Rc::new(
            self.0
                .iter()
                .map(|(alg, kid)| verifying_key(*alg, Some(kid)))
                .collect(),
        ))
    }
}

fn run_with_remote(
    token: &str,
    verifier: &Verifier,
    remote: &FixedRemote,
) -> Result<String, InvalidToken> {
    let header = format!("Bearer {token}");
    match pollster::block_on(authenticate(Some(&header), verifier, remote, now())) {
        Ok(user) => Ok(user.as_str().to_owned()),
        Err(AuthError::Invalid(why)) => Err(why),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn configured_keys_and_the_jwks_work_side_by_side() {
    // A secret (no kid) and a JWKS: HS256 tokens never reach the JWKS, others do.
    let verifier = Verifier {
        remote: true,
        ..secret_verifier()
    };
    let remote = FixedRemote(vec![(Alg::EdDsa, "ed-1")], Default::default());
    assert_eq!(
        run_with_remote(&hs256(&valid_claims()), &verifier, &remote),
        Ok("user-1".into())
    );
    assert_eq!(remote.1.get(), 0, "the secret answered");
    let ed = sign(Alg::EdDsa, Some("ed-1"), &valid_claims());
    assert_eq!(
        run_with_remote(&ed, &verifier, &remote),
        Ok("user-1".into())
    );
    assert_eq!(
        run_with_remote(
            &sign(Alg::EdDsa, Some("ed-2"), &valid_claims()),
            &verifier,
            &remote
        ),
        Err(InvalidToken::UnknownKey)
    );
    assert_eq!(
        run_with_remote(
            &sign(Alg::Es256, Some("ed-1"), &valid_claims()),
            &verifier,
            &remote
        ),
        Err(InvalidToken::WrongAlgorithm)
    );
    let asked = remote.1.get();
    let wrong_secret = Key::secret(b"other", Alg::Hs256).unwrap();
    let other_verifier = Verifier {
        keys: vec![wrong_secret],
        remote: true,
        ..Verifier::default()
    };
    assert_eq!(
        run_with_remote(&hs256(&valid_claims()), &other_verifier, &remote),
        Err(InvalidToken::BadSignature),
        "the secret's verdict stands"
    );
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","kid":"x"}"#),
        b64(valid_claims().to_string().as_bytes())
    );
    assert_eq!(
        run_with_remote(&none, &other_verifier, &remote),
        Err(InvalidToken::WrongAlgorithm)
    );
    assert_eq!(
        remote.1.get(),
        asked,
        "neither HMAC nor `none` tokens reach the JWKS"
    );
}

#[test]
fn a_configured_key_without_kid_does_not_shadow_the_jwks() {
    // JWT_PUBLIC_KEY holds one RSA key without kid; the JWKS publishes another RS256 key.
    // Both use the run's RSA test key pair, so a wrong-signature token stands in for "the
    // other key": a token that fails the configured key is still tried against the JWKS.
    let verifier = Verifier {
        keys: vec![Key::new(None, Alg::Rs256, Box::new(RejectAll))],
        remote: true,
        ..Verifier::default()
    };
    let remote = FixedRemote(vec![(Alg::Rs256, "idp-1")], Default::default());
    let token = sign(Alg::Rs256, Some("idp-1"), &valid_claims());
    assert_eq!(
        run_with_remote(&token, &verifier, &remote),
        Ok("user-1".into())
    );
    assert_eq!(remote.1.get(), 1);
    // A configured key that names the kid is authoritative: no fallback.
    let mut named = Key::new(None, Alg::Rs256, Box::new(RejectAll));
    named.kid = Some("idp-1".into());
    let verifier = Verifier {
        keys: vec![named],
        remote: true,
        ..Verifier::default()
    };
    assert_eq!(
        run_with_remote(&token, &verifier, &remote),
        Err(InvalidToken::BadSignature)
    );
    assert_eq!(remote.1.get(), 1);
}

struct RejectAll;

impl crate::auth::keys::SignatureCheck for RejectAll {
    fn verify(&self, _: &[u8], _: &[u8]) -> bool {
        false
    }
}
