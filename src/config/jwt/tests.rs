use super::*;

fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
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

#[test]
fn a_missing_or_empty_secret_is_named_without_its_value() {
    let missing = Config::from_lookup(|_| None).unwrap_err();
    assert_eq!(missing.to_string(), "JWT_SECRET is not set");
    let empty = Config::from_lookup(|_| Some(String::new())).unwrap_err();
    assert_eq!(empty.to_string(), "JWT_SECRET is empty");
}

#[test]
fn the_secret_never_shows_in_debug_output() {
    let config =
        Config::from_lookup(|name| (name == "JWT_SECRET").then(|| "super-secret-value".into()))
            .unwrap();
    assert!(!format!("{config:?}").contains("super-secret-value"));
}

#[test]
fn the_secret_is_hs256_unless_an_hmac_algorithm_is_configured() {
    let default = from(&[("JWT_SECRET", "s")]).unwrap();
    assert_eq!(default.verifier.keys[0].alg, Alg::Hs256);
    let hs512 = from(&[("JWT_SECRET", "s"), ("JWT_ALGORITHM", "HS512")]).unwrap();
    assert_eq!(hs512.verifier.keys[0].alg, Alg::Hs512);
    assert_eq!(
        from(&[("JWT_SECRET", "s"), ("JWT_ALGORITHM", "none")])
            .unwrap_err()
            .setting,
        "JWT_ALGORITHM"
    );
}

#[test]
fn a_jwks_url_alone_is_enough_and_must_be_https_except_on_loopback() {
    let config = from(&[("JWT_JWKS_URL", "https://example.com/.well-known/jwks.json")]).unwrap();
    assert!(config.verifier.remote && config.verifier.keys.is_empty());
    assert_eq!(
        config.jwks.unwrap().policy.min_refetch,
        TimeDelta::seconds(30)
    );
    assert!(from(&[("JWT_JWKS_URL", "http://127.0.0.1:9/jwks")]).is_ok());
    assert_eq!(
        from(&[("JWT_JWKS_URL", "http://example.com/jwks")])
            .unwrap_err()
            .to_string(),
        "JWT_JWKS_URL must be an https:// URL (plain http:// only to localhost, 127.0.0.0/8 or [::1])"
    );
}

#[test]
fn claim_rules_come_from_their_settings() {
    let config = from(&[
        ("JWT_SECRET", "s"),
        ("JWT_ISSUER", "https://issuer.example/"),
        ("JWT_AUDIENCE", "api, other"),
        ("JWT_LEEWAY_SECONDS", "5"),
        ("JWT_USER_CLAIM", "uid"),
    ])
    .unwrap();
    let rules = &config.verifier.rules;
    assert_eq!(rules.issuer.as_deref(), Some("https://issuer.example/"));
    assert_eq!(rules.audiences, ["api", "other"]);
    assert_eq!(rules.leeway, TimeDelta::seconds(5));
    assert_eq!(rules.user_claims, ["uid"]);
    assert_eq!(
        from(&[("JWT_SECRET", "s"), ("JWT_LEEWAY_SECONDS", "-1")])
            .unwrap_err()
            .setting,
        "JWT_LEEWAY_SECONDS"
    );
}

#[test]
fn an_unusable_public_key_is_named_with_its_problem() {
    let e = from(&[("JWT_PUBLIC_KEY", "hello")]).unwrap_err();
    assert_eq!(e.setting, "JWT_PUBLIC_KEY");
    assert!(!e.to_string().contains("hello"));
}
