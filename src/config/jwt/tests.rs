use serde_json::json;

use super::*;
use crate::auth::test_keys::{self, public_jwks, sign_raw_with_secret};
use crate::auth::{authenticate, AuthError, InvalidToken, NoRemoteKeys};

/// A secret of the minimum length.
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const ISSUER: &str = "https://issuer.example/";

/// Name → value pairs standing in for the Worker's environment.
type Settings<'a> = &'a [(&'a str, &'a str)];

fn from(pairs: Settings) -> Result<Config, ConfigError> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

/// The setting a configuration error names.
fn refused(pairs: Settings) -> &'static str {
    match from(pairs) {
        Ok(config) => panic!("accepted: {config:?}"),
        Err(e) => e.setting,
    }
}

/// The user `config` authenticates for `Bearer <token>`, or why the token was refused.
fn user(config: &Config, token: &str) -> Result<String, InvalidToken> {
    let header = format!("Bearer {token}");
    match pollster::block_on(authenticate(
        Some(&header),
        &config.verifier,
        &NoRemoteKeys,
        now(),
    )) {
        Ok(user) => Ok(user.as_str().to_owned()),
        Err(AuthError::Invalid(why)) => Err(why),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    std::time::SystemTime::now().into()
}

fn in_an_hour() -> i64 {
    now().timestamp() + 3600
}

#[test]
fn a_missing_empty_or_blank_secret_is_named_without_its_value() {
    let missing = Config::from_lookup(|_| None).unwrap_err();
    assert_eq!(missing.to_string(), "JWT_SECRET is not set");
    for blank in ["", "   ", &" ".repeat(40), "\t\n"] {
        let error = from(&[("JWT_SECRET", blank)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "JWT_SECRET is empty or only whitespace",
            "{blank:?}"
        );
    }
}

#[test]
fn a_secret_shorter_than_32_bytes_is_refused() {
    for (secret, why) in [
        ("s", "one byte"),
        ("change-me", "a placeholder"),
        (&SECRET[1..], "31 bytes"),
        ("  0123456789abcdef0123456789  ", "padded to 32 bytes"),
    ] {
        let error = from(&[("JWT_SECRET", secret)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "JWT_SECRET is shorter than 32 bytes (RFC 7518, section 3.2)",
            "{why}"
        );
    }
    assert!(from(&[("JWT_SECRET", SECRET)]).is_ok(), "32 bytes");
    assert!(
        from(&[("JWT_SECRET", "é".repeat(16).as_str())]).is_ok(),
        "bytes, not characters"
    );
}

#[test]
fn the_secret_never_shows_in_debug_output_or_errors() {
    let secret = "super-secret-value-of-some-length";
    let config = from(&[("JWT_SECRET", secret)]).unwrap();
    assert!(!format!("{config:?}").contains(secret));
    let error = from(&[("JWT_SECRET", "short-secret")]).unwrap_err();
    assert!(!error.to_string().contains("short-secret"));
}

#[test]
fn the_secret_is_hs256_unless_an_hmac_algorithm_is_configured() {
    let default = from(&[("JWT_SECRET", SECRET)]).unwrap();
    assert_eq!(default.verifier.keys[0].alg, Alg::Hs256);
    let hs512 = from(&[("JWT_SECRET", SECRET), ("JWT_ALGORITHM", "HS512")]).unwrap();
    assert_eq!(hs512.verifier.keys[0].alg, Alg::Hs512);
    assert_eq!(
        refused(&[("JWT_SECRET", SECRET), ("JWT_ALGORITHM", "none")]),
        "JWT_ALGORITHM"
    );
}

#[test]
fn an_asymmetric_algorithm_next_to_a_secret_is_refused_not_ignored() {
    let jwks = public_jwks().to_string();
    let pinned = [("JWT_ISSUER", ISSUER), ("JWT_AUDIENCE", "api")];
    for alg in ["RS256", "PS256", "ES256", "EdDSA"] {
        let error = from(&[("JWT_SECRET", SECRET), ("JWT_ALGORITHM", alg)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "JWT_ALGORITHM names an asymmetric algorithm while JWT_SECRET is set \
             (a secret verifies HS256, HS384 or HS512)",
            "{alg}"
        );
        let both = [
            ("JWT_SECRET", SECRET),
            ("JWT_ALGORITHM", alg),
            ("JWT_PUBLIC_KEY", &jwks),
        ];
        assert_eq!(refused(&[&both[..], &pinned[..]].concat()), "JWT_ALGORITHM");
    }
    // Without a secret, the algorithm pins the public key.
    let pem = test_keys::public_pem("PS256");
    let ps256 = from(&[
        ("JWT_ALGORITHM", "PS256"),
        ("JWT_PUBLIC_KEY", &pem),
        pinned[0],
        pinned[1],
    ]);
    assert_eq!(ps256.unwrap().verifier.keys[0].alg, Alg::Ps256);
}

#[test]
fn public_keys_require_an_issuer_and_an_audience() {
    let jwks = public_jwks().to_string();
    let url = "https://idp.example/.well-known/jwks.json";
    let cases: [(Settings, &str, &str); 8] = [
        (
            &[("JWT_PUBLIC_KEY", &jwks)],
            "JWT_ISSUER",
            "public key, nothing pinned",
        ),
        (
            &[("JWT_PUBLIC_KEY", &jwks), ("JWT_AUDIENCE", "api")],
            "JWT_ISSUER",
            "public key, no issuer",
        ),
        (
            &[("JWT_PUBLIC_KEY", &jwks), ("JWT_ISSUER", ISSUER)],
            "JWT_AUDIENCE",
            "public key, no audience",
        ),
        (
            &[("JWT_JWKS_URL", url), ("JWT_AUDIENCE", "api")],
            "JWT_ISSUER",
            "JWKS, no issuer",
        ),
        (
            &[("JWT_JWKS_URL", url), ("JWT_ISSUER", ISSUER)],
            "JWT_AUDIENCE",
            "JWKS, no audience",
        ),
        (
            &[
                ("JWT_SECRET", SECRET),
                ("JWT_JWKS_URL", url),
                ("JWT_AUDIENCE", "api"),
            ],
            "JWT_ISSUER",
            "a secret does not exempt the JWKS",
        ),
        (
            &[
                ("JWT_JWKS_URL", url),
                ("JWT_ISSUER", "*"),
                ("JWT_AUDIENCE", "api"),
            ],
            "JWT_ISSUER",
            "no wildcard issuer",
        ),
        (
            &[
                ("JWT_JWKS_URL", url),
                ("JWT_ISSUER", ISSUER),
                ("JWT_AUDIENCE", "api, *"),
            ],
            "JWT_AUDIENCE",
            "`*` mixed with audiences",
        ),
    ];
    for (settings, setting, why) in cases {
        let error = from(settings).unwrap_err();
        assert_eq!(error.setting, setting, "{why}");
        assert!(error.to_string().starts_with(setting), "{why}: {error}");
    }
    assert_eq!(
        from(&[("JWT_JWKS_URL", url)]).unwrap_err().to_string(),
        "JWT_ISSUER is required with JWT_PUBLIC_KEY or JWT_JWKS_URL"
    );
    let pinned = from(&[
        ("JWT_PUBLIC_KEY", &jwks),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", "api"),
    ]);
    let rules = pinned.unwrap().verifier.rules;
    assert_eq!(
        (rules.issuer.as_deref(), &rules.audiences[..]),
        (Some(ISSUER), &["api".to_owned()][..])
    );
}

#[test]
fn a_secret_only_deployment_accepts_original_keybox_tokens_without_issuer_or_audience() {
    let config = from(&[("JWT_SECRET", SECRET)]).unwrap();
    assert_eq!(config.verifier.rules.issuer, None);
    assert!(config.verifier.rules.audiences.is_empty());
    let claims = json!({"userId": "5f1d7c2e9b1e8a3d4c6b7a90", "email": "dev@example.com",
                        "role": "developer", "exp": in_an_hour()});
    let token = sign_raw_with_secret(
        "HS256",
        SECRET.as_bytes(),
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &claims.to_string(),
    );
    assert_eq!(user(&config, &token), Ok("5f1d7c2e9b1e8a3d4c6b7a90".into()));
}

#[test]
fn a_star_audience_accepts_any_aud_and_is_never_compared_as_a_value() {
    let jwks = public_jwks().to_string();
    let any = from(&[
        ("JWT_PUBLIC_KEY", &jwks),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", " * "),
    ])
    .unwrap();
    assert!(any.verifier.rules.audiences.is_empty(), "not a literal `*`");
    let token = |aud: Option<serde_json::Value>| {
        let mut claims = json!({"sub": "u", "iss": ISSUER, "exp": in_an_hour()});
        if let Some(aud) = aud {
            claims["aud"] = aud;
        }
        test_keys::sign("EdDSA", Some("okp-ed25519"), &claims)
    };
    for aud in [
        Some(json!("other-tenant")),
        Some(json!(["a", "b"])),
        Some(json!("*")),
        None,
    ] {
        assert_eq!(
            user(&any, &token(aud.clone())),
            Ok("u".into()),
            "aud {aud:?}"
        );
    }
    let foreign = test_keys::sign(
        "EdDSA",
        Some("okp-ed25519"),
        &json!({"sub": "u", "iss": "https://other.example/", "exp": in_an_hour()}),
    );
    assert_eq!(
        user(&any, &foreign),
        Err(InvalidToken::WrongIssuer),
        "the issuer stays pinned"
    );
}

#[test]
fn a_jwks_url_with_issuer_and_audience_is_enough_and_must_be_https_except_on_loopback() {
    let pinned = [("JWT_ISSUER", ISSUER), ("JWT_AUDIENCE", "api")];
    let with_url = |url| from(&[("JWT_JWKS_URL", url), pinned[0], pinned[1]]);
    let config = with_url("https://example.com/.well-known/jwks.json").unwrap();
    assert!(config.verifier.remote && config.verifier.keys.is_empty());
    assert_eq!(
        config.jwks.unwrap().policy.min_refetch,
        TimeDelta::seconds(30)
    );
    assert!(with_url("http://127.0.0.1:9/jwks").is_ok());
    assert_eq!(
        with_url("http://example.com/jwks").unwrap_err().setting,
        "JWT_JWKS_URL"
    );
}

#[test]
fn claim_rules_come_from_their_settings() {
    let config = from(&[
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", "api, other"),
        ("JWT_LEEWAY_SECONDS", "5"),
        ("JWT_USER_CLAIM", "uid"),
    ])
    .unwrap();
    let rules = &config.verifier.rules;
    assert_eq!(rules.issuer.as_deref(), Some(ISSUER));
    assert_eq!(rules.audiences, ["api", "other"]);
    assert_eq!(rules.leeway, TimeDelta::seconds(5));
    assert_eq!(rules.user_claims, ["uid"]);
    assert_eq!(
        refused(&[("JWT_SECRET", SECRET), ("JWT_LEEWAY_SECONDS", "-1")]),
        "JWT_LEEWAY_SECONDS"
    );
}

#[test]
fn an_unusable_public_key_is_named_with_its_problem() {
    let e = from(&[("JWT_PUBLIC_KEY", "hello")]).unwrap_err();
    assert_eq!(e.setting, "JWT_PUBLIC_KEY");
    assert!(!e.to_string().contains("hello"));
}
