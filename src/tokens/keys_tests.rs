use super::*;
use serde_json::json;

/// RFC 8032 §7.1 test 1 / RFC 8037 appendix A: seed `d` and public key `x`.
const RFC_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const RFC_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// Made with `openssl genpkey -algorithm ed25519` (a test key, used nowhere else), and its
/// public key from `openssl pkey -pubout`.
const OPENSSL_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHo7Hb/dRW2koHwjIxYjWFFYkHuhzBkkvAUWAnokm0LL
-----END PRIVATE KEY-----
";
const OPENSSL_X: &str = "vRLyHMHEfd6P48ZvEFTvEKkg9tMpWmzTHpODkLGflaE";

fn b64(text: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(text).unwrap()
}

fn x_of(key: &PublicKey) -> String {
    Base64UrlUnpadded::encode_string(&key[..])
}

fn pem_of(der: &[u8]) -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        Base64::encode_string(der)
    )
}

fn rfc_jwk() -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "d": RFC_D, "x": RFC_X})
}

#[test]
fn an_openssl_pkcs8_pem_key_signs_and_publishes_its_public_half() {
    let keys = parse_signing_keys(OPENSSL_PEM).unwrap();
    assert_eq!(keys.published.len(), 1);
    assert_eq!(x_of(&keys.published[0]), OPENSSL_X);
    assert_eq!(keys.signing.public_key(), keys.published[0]);
}

#[test]
fn a_pkcs8_v2_pem_with_its_public_key_is_accepted_when_the_halves_match() {
    let der = [
        &PKCS8_V2_PREFIX[..],
        &b64(RFC_D),
        &PKCS8_V2_PUBLIC_TAG,
        &b64(RFC_X),
    ]
    .concat();
    let keys = parse_signing_keys(&pem_of(&der)).unwrap();
    assert_eq!(x_of(&keys.published[0]), RFC_X);
    let mut wrong = der.clone();
    *wrong.last_mut().unwrap() ^= 1;
    assert_eq!(
        parse_signing_keys(&pem_of(&wrong)).unwrap_err().0,
        "holds a public key that does not match its private key"
    );
}

#[test]
fn a_private_jwk_signs_and_its_x_is_checked_against_d() {
    let keys = parse_signing_keys(&rfc_jwk().to_string()).unwrap();
    assert_eq!(x_of(&keys.published[0]), RFC_X);
    let without_x =
        json!({"kty": "OKP", "crv": "Ed25519", "d": RFC_D, "alg": "EdDSA", "use": "sig"});
    assert_eq!(
        x_of(
            &parse_signing_keys(&without_x.to_string())
                .unwrap()
                .published[0]
        ),
        RFC_X
    );
}

#[test]
fn a_jwk_set_signs_with_its_first_key_and_publishes_every_key_in_order() {
    let other = KeyPair::from_seed(Seed::new([7; 32]));
    let retired = KeyPair::from_seed(Seed::new([9; 32]));
    let set = json!({"keys": [
        rfc_jwk(),
        {"kty": "OKP", "crv": "Ed25519", "d": Base64UrlUnpadded::encode_string(&other.sk.seed()[..])},
        {"kty": "OKP", "crv": "Ed25519", "x": x_of(&retired.pk), "kid": "ignored"},
    ]});
    let keys = parse_signing_keys(&set.to_string()).unwrap();
    assert_eq!(x_of(&keys.signing.public_key()), RFC_X);
    let published: Vec<String> = keys.published.iter().map(x_of).collect();
    assert_eq!(
        published,
        [RFC_X.to_owned(), x_of(&other.pk), x_of(&retired.pk)]
    );
}

#[test]
fn unusable_settings_are_refused_each_with_its_own_reason() {
    let public_pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";
    let rsa_der = [0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00];
    let zero_seed = [&PKCS8_V1_PREFIX[..], &[0u8; 32]].concat();
    let cases = [
        (
            "not a key",
            "is neither a PEM private key nor JSON (a JWK or a JWK Set)",
        ),
        (
            public_pem,
            "is a public key (the server signs: configure the private key)",
        ),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
            "is an encrypted PEM key (export it unencrypted, PKCS#8)",
        ),
        (
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
            "is not a PKCS#8 PEM private key (\"BEGIN PRIVATE KEY\")",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----",
            "is a malformed PEM block",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAw",
            "is a malformed PEM block",
        ),
        (&pem_of(&rsa_der), "is not an Ed25519 private key"),
        (
            &pem_of(&zero_seed),
            "holds an invalid Ed25519 private key (32 bytes expected)",
        ),
        (r#"{"keys":[]}"#, "is a JWK Set without keys"),
        (r#"{"keys":{}}"#, "is a JWK Set without keys"),
        (
            &json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": RFC_X}]}).to_string(),
            "is a JWK Set whose first key (the one that signs) has no private part (\"d\")",
        ),
        (
            &json!({"keys": [rfc_jwk(), {"kty": "OKP", "crv": "Ed25519", "x": RFC_X}]}).to_string(),
            "lists the same key twice",
        ),
        (
            &json!({"kty": "EC", "crv": "P-256", "d": RFC_D, "x": RFC_X, "y": RFC_X}).to_string(),
            "holds a JWK that is not an Ed25519 key (\"kty\":\"OKP\",\"crv\":\"Ed25519\")",
        ),
        (
            &json!({"kty": "OKP", "crv": "Ed25519", "d": RFC_D, "alg": "ES256"}).to_string(),
            "holds a JWK whose \"alg\" is not EdDSA",
        ),
        (
            &json!({"kty": "OKP", "crv": "Ed25519", "d": RFC_D, "use": "enc"}).to_string(),
            "holds a JWK whose \"use\" is not \"sig\"",
        ),
        (
            &json!({"kty": "OKP", "crv": "Ed25519", "x": RFC_X}).to_string(),
            "holds a JWK missing \"x\" or \"d\"",
        ),
        (
            &json!({"kty": "OKP", "crv": "Ed25519", "d": "not base64url!"}).to_string(),
            "holds a JWK whose \"x\" or \"d\" is not base64url",
        ),
        (
            &json!({"kty": "OKP", "crv": "Ed25519", "d": "AAAA"}).to_string(),
            "holds an invalid Ed25519 private key (32 bytes expected)",
        ),
        (
            &json!({"kty": "OKP", "crv": "Ed25519", "d": RFC_D, "x": OPENSSL_X}).to_string(),
            "holds a JWK whose \"x\" is not the public key of its \"d\"",
        ),
        (
            &json!({"keys": [rfc_jwk(), {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}]})
                .to_string(),
            "holds a JWK whose \"x\" is not an Ed25519 public key",
        ),
        (
            "[1,2]",
            "holds a JWK that is not an Ed25519 key (\"kty\":\"OKP\",\"crv\":\"Ed25519\")",
        ),
    ];
    for (setting, reason) in cases {
        let error = parse_signing_keys(setting).expect_err(setting);
        assert_eq!(error.0, reason, "{setting}");
        assert!(!reason.contains(RFC_D));
    }
}

#[test]
fn debug_output_never_shows_the_private_key() {
    let keys = parse_signing_keys(&rfc_jwk().to_string()).unwrap();
    assert_eq!(format!("{keys:?}"), "ConfiguredKeys { published: 1, .. }");
}
