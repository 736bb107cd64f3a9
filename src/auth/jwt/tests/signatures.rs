//! Signatures and algorithm pinning: a key verifies only the algorithm it was loaded for, and
//! every forged, confused or tampered signature is refused with its reason.

use serde_json::json;

use super::*;
use crate::auth::testing::{b64, public_jwk, public_pem, sign_raw, sign_raw_with_secret};
use crate::auth::testing::{verifying_key, SECRET};

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
fn forged_confused_and_tampered_signatures_get_their_exact_reason() {
    let claims = valid_claims().to_string();
    let good = hs256(&valid_claims());
    let (header, rest) = good.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let forged_payload = b64(json!({"sub": "admin", "exp": at(3600)})
        .to_string()
        .as_bytes());
    let rsa_key = || vec![verifying_key(Alg::Rs256, None)];
    // HS256 keyed with the RSA public key's JWK text, which an attacker can read.
    let public_as_secret = sign_raw_with_secret(
        "HS256",
        public_jwk(Alg::Rs256, "k").to_string().as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims,
    );
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
    let none = |name: &str| {
        format!(
            "{}.{payload}.",
            b64(format!(r#"{{"alg":"{name}"}}"#).as_bytes())
        )
    };
    let wrong = |token: String, keys: Vec<Key>, why: &'static str| -> Case {
        (token, keys, Err(InvalidToken::WrongAlgorithm), why)
    };
    let bad = |token: String, keys: Vec<Key>, why: &'static str| -> Case {
        (token, keys, Err(InvalidToken::BadSignature), why)
    };
    assert_cases(vec![
        wrong(none("none"), secret(), "alg none, empty signature"),
        wrong(none("None"), secret(), "alg None"),
        wrong(
            format!("{}.{payload}.{signature}", b64(br#"{"alg":"none"}"#)),
            secret(),
            "alg none with a signature",
        ),
        wrong(none("hs256"), secret(), "alg names are case-sensitive"),
        wrong(
            public_as_secret,
            rsa_key(),
            "HS256 signed with the RSA public key",
        ),
        wrong(
            sign(Alg::Hs512, None, &valid_claims()),
            secret(),
            "HS512 under the HS256 secret",
        ),
        wrong(
            sign(Alg::Rs256, None, &valid_claims()),
            secret(),
            "RS256 with only a secret configured",
        ),
        wrong(
            sign(Alg::Ps256, None, &valid_claims()),
            rsa_key(),
            "PS256 under an RS256 key",
        ),
        wrong(
            sign_raw(Alg::Hs256, r#"{"alg":"ES256"}"#, &claims),
            secret(),
            "header lies about alg",
        ),
        bad(
            other_p256,
            vec![verifying_key(Alg::Es256, None)],
            "ES256 from another key",
        ),
        bad(
            sign_raw(Alg::Rs256, r#"{"alg":"PS256"}"#, &claims),
            vec![verifying_key(Alg::Ps256, None)],
            "RS256 signature labelled PS256",
        ),
        bad(
            hs256(&valid_claims()),
            vec![Key::secret(b"another-secret-of-at-least-32-bytes", Alg::Hs256).unwrap()],
            "wrong secret",
        ),
        bad(
            format!("{header}.{forged_payload}.{signature}"),
            secret(),
            "tampered payload",
        ),
        bad(
            format!(
                "{}.{payload}.{signature}",
                b64(br#"{"alg":"HS256","typ":"JWT","kid":"x"}"#)
            ),
            secret(),
            "tampered header",
        ),
        bad(
            format!("{header}.{payload}.{}", b64(&flipped)),
            secret(),
            "tampered signature",
        ),
        bad(
            format!("{header}.{payload}.{}", &signature[..20]),
            secret(),
            "truncated signature",
        ),
        bad(format!("{header}.{payload}."), secret(), "empty signature"),
    ]);
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

#[test]
fn the_signature_check_is_a_trait_so_claims_are_testable_without_crypto() {
    let token = format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"ES256"}"#),
        b64(valid_claims().to_string().as_bytes())
    );
    let accept = with_keys(vec![Key::new(None, Alg::Es256, Box::new(Fixed(true)))]);
    assert_eq!(run(&token, &accept), Ok("user-1".into()));
    let reject = with_keys(vec![Key::new(None, Alg::Es256, Box::new(Fixed(false)))]);
    assert_eq!(run(&token, &reject), Err(InvalidToken::BadSignature));
}

#[test]
fn pem_public_keys_load_for_each_key_type() {
    use rsa::pkcs1::{EncodeRsaPublicKey, LineEnding};
    let pkcs1 = crate::auth::testing::test_keys()
        .rsa
        .to_public_key()
        .to_pkcs1_pem(LineEnding::LF)
        .unwrap();
    let cases = [
        (public_pem("RS256"), None, Alg::Rs256),
        (public_pem("RS256"), Some(Alg::Ps256), Alg::Ps256),
        (pkcs1, None, Alg::Rs256),
        (public_pem("ES256"), None, Alg::Es256),
        (public_pem("EdDSA"), None, Alg::EdDsa),
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
    assert!(Key::from_pem(&public_pem("EdDSA"), Some(Alg::Rs256)).is_err());
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
