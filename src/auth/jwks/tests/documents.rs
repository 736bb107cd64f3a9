//! What a provider's answer yields: keys, and how long they stay fresh. Nothing a provider
//! sends may panic the worker; a bad answer counts as an outage.

use super::*;

#[test]
fn the_ttl_follows_cache_control_within_bounds() {
    let policy = JwksPolicy::default();
    assert_eq!(policy.ttl(None), TimeDelta::minutes(10));
    assert_eq!(
        policy.ttl(Some("public, max-age=3600")),
        TimeDelta::hours(1)
    );
    assert_eq!(
        policy.ttl(Some("max-age=5")),
        TimeDelta::minutes(1),
        "raised to the minimum"
    );
    assert_eq!(
        policy.ttl(Some("max-age=99999999")),
        TimeDelta::hours(24),
        "capped"
    );
    assert_eq!(policy.ttl(Some("s-maxage=7200")), TimeDelta::hours(2));
    assert_eq!(policy.ttl(Some("no-store")), TimeDelta::minutes(1));
    assert_eq!(policy.ttl(Some("max-age=abc")), TimeDelta::minutes(10));
}

#[test]
fn an_absurd_max_age_is_clamped_never_a_panic() {
    let policy = JwksPolicy::default();
    let cases = [
        (
            "max-age=9223372036854776",
            TimeDelta::hours(24),
            "past TimeDelta's range",
        ),
        (
            "max-age=9223372036854775807",
            TimeDelta::hours(24),
            "i64::MAX",
        ),
        (
            "max-age=99999999999999999999999",
            TimeDelta::hours(24),
            "past u64 (RFC 9111 §1.2.2)",
        ),
        (
            "s-maxage=18446744073709551616",
            TimeDelta::hours(24),
            "2^64",
        ),
        (
            "max-age=-5",
            TimeDelta::minutes(10),
            "negative: not delta-seconds",
        ),
        (
            "max-age=-9223372036854775808",
            TimeDelta::minutes(10),
            "i64::MIN",
        ),
        (
            "max-age=+60",
            TimeDelta::minutes(10),
            "a sign is not delta-seconds",
        ),
        ("max-age=", TimeDelta::minutes(10), "empty"),
    ];
    for (header, ttl, why) in cases {
        assert_eq!(policy.ttl(Some(header)), ttl, "{why}: {header}");
    }
}
#[test]
fn a_document_without_usable_keys_counts_as_an_outage() {
    let cache = RefCell::default();
    let origin = FakeOrigin::default();
    *origin.body.borrow_mut() = Some(r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#.into());
    assert_eq!(kids(&cache, &origin, None, t0()), Err(KeysUnavailable));
    *origin.body.borrow_mut() = Some("<html>login</html>".into());
    assert_eq!(
        kids(&cache, &origin, None, t0() + secs(30)),
        Err(KeysUnavailable)
    );
    assert!(
        origin.shared.borrow().is_none(),
        "nothing unusable is shared"
    );
}

#[test]
fn an_oversized_document_counts_as_an_outage() {
    let cache = RefCell::default();
    let origin = FakeOrigin::default();
    let jwk = public_jwk(Alg::EdDsa, "padding");
    let keys = vec![jwk.clone(); MAX_JWKS_BYTES / jwk.to_string().len() + 1];
    assert!(json!({ "keys": keys }).to_string().len() > MAX_JWKS_BYTES);
    *origin.body.borrow_mut() = Some(json!({ "keys": keys }).to_string());
    assert_eq!(kids(&cache, &origin, None, t0()), Err(KeysUnavailable));
}

#[test]
fn a_document_yields_its_usable_keys_and_their_freshness() {
    let mut unusable = public_jwk(Alg::EdDsa, "enc");
    unusable["use"] = json!("enc");
    let body = json!({"keys": [
        public_jwk(Alg::EdDsa, "a"),
        {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
        {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"},
        unusable,
        public_jwk(Alg::Rs256, "b"),
    ]});
    let document = JwksDocument {
        body: body.to_string(),
        cache_control: Some("public, max-age=3600".into()),
    };
    let (keys, ttl) = document.parse(&JwksPolicy::default()).unwrap();
    assert_eq!(kid_list(&keys), ["a", "b"], "unusable keys are skipped");
    assert_eq!(ttl, TimeDelta::hours(1));
}
