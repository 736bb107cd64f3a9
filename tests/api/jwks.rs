//! A JWKS deployment end to end: the JWKS-mode worker fetches keys from the suite's loopback
//! JWKS server, which these steps take down, bring up, rotate and take down again. The steps
//! share the server's state, so they are one trial, run in order.

use std::thread::sleep;
use std::time::Duration;

use serde_json::{json, Value};

use crate::single_trials;
use crate::support::jwks_server::{hits, serve};
use crate::support::keys::{ed25519_jwk, new_ed25519, public_jwk, signed, signed_ed25519};
use crate::support::{
    create_body, hmac_token, jwks_worker, new_project_on, request_to, Reply, AUDIENCE,
    JWKS_REFETCH_SECONDS,
};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    single_trials![a_jwks_deployment_survives_an_outage_a_key_rotation_and_a_kid_flood]
}

/// The project of `jwks-user` on the JWKS-mode worker (its own D1), made once with an HS512
/// token (the worker's secret), which needs no JWKS server.
fn project() -> &'static str {
    static PROJECT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROJECT.get_or_init(|| {
        let secret = jwks_worker().secret.as_bytes();
        new_project_on(jwks_worker(), &hmac_token("HS512", secret, claims()))
    })
}

fn create(token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    request_to(
        jwks_worker(),
        "POST",
        "/license/create",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        Some(create_body(project()).as_bytes()),
    )
}

/// The suite's issuer and audience are added by the token builders.
fn claims() -> Value {
    json!({"sub": "jwks-user", "exp": 600})
}

/// [`claims`] with some changed; a `null` `iss` or `aud` is left out of the token.
fn with(extra: Value) -> Value {
    let mut claims = claims();
    for (name, value) in extra.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

fn assert_refused(reply: &Reply, reason: &str) {
    assert_eq!(reply.status, 401, "{reason}: {}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"message": "Unauthorized", "error": reason})
    );
}

fn jwks(keys: &[Value]) -> Option<String> {
    Some(json!({ "keys": keys }).to_string())
}

/// Past the worker's refetch interval, so that it may ask the JWKS server again.
fn wait_refetch_interval() {
    sleep(Duration::from_millis(JWKS_REFETCH_SECONDS * 1000 + 500));
}

fn a_jwks_deployment_survives_an_outage_a_key_rotation_and_a_kid_flood() {
    let old = new_ed25519();
    let new = new_ed25519();

    // 1. The endpoint is down and nothing is cached: 503 JSON, neither 401 nor 500.
    serve(None);
    let reply = create(&signed_ed25519(&old, "old", claims()));
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"error": "Could not verify the token: signing keys are unavailable"})
    );
    assert_eq!(hits(), 1, "the worker tried the endpoint once");
    assert_eq!(create(&signed_ed25519(&old, "old", claims())).status, 503);
    assert_eq!(hits(), 1, "and not again within the refetch interval");

    // 2. Up: keys are fetched once, then served from the cache.
    serve(jwks(&[
        ed25519_jwk(&old, "old"),
        public_jwk("RS256", "rsa-1"),
    ]));
    wait_refetch_interval();
    let reply = create(&signed_ed25519(&old, "old", claims()));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["license"]["user"], "jwks-user");
    let reply = create(&signed("RS256", "rsa-1", claims()));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(hits(), 2, "one fetch served both keys");

    // Issuer and audience are enforced; aud may be an array.
    let aud_array = with(json!({"aud": ["other", AUDIENCE]}));
    assert_eq!(create(&signed_ed25519(&old, "old", aud_array)).status, 201);
    let cases = [
        (
            with(json!({"iss": "https://evil.test/"})),
            "token issuer not accepted",
        ),
        (with(json!({"iss": null})), "token issuer not accepted"),
        (with(json!({"aud": "other"})), "token audience not accepted"),
        (with(json!({"aud": null})), "token audience not accepted"),
        (with(json!({"iat": 300})), "token issued in the future"),
    ];
    for (claims, reason) in cases {
        assert_refused(&create(&signed_ed25519(&old, "old", claims)), reason);
    }
    // The worker's HS512 secret works alongside the JWKS; HS256 under it does not.
    let secret = jwks_worker().secret.as_bytes();
    let hs = |alg: &str| hmac_token(alg, secret, claims());
    assert_eq!(create(&hs("HS512")).status, 201);
    assert_refused(&create(&hs("HS256")), "token algorithm not accepted");

    // 3. A flood of unknown kids reaches the endpoint at most once per interval.
    let before = hits();
    for i in 0..10 {
        let bogus = signed_ed25519(&old, &format!("bogus-{i}"), claims());
        assert_refused(&create(&bogus), "token signing key not found");
    }
    assert!(
        hits() - before <= 1,
        "{} fetches for 10 bogus kids",
        hits() - before
    );

    // 4. Rotation: the old kid is removed, a new one added; the new kid triggers a refetch.
    serve(jwks(&[
        ed25519_jwk(&new, "new"),
        public_jwk("RS256", "rsa-1"),
    ]));
    wait_refetch_interval();
    let reply = create(&signed_ed25519(&new, "new", claims()));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_refused(
        &create(&signed_ed25519(&old, "old", claims())),
        "token signing key not found",
    );
    assert_refused(
        &create(&signed_ed25519(&old, "new", claims())),
        "invalid signature",
    );

    // 5. Outage with keys cached: they keep working; an unknown kid still is a 401.
    serve(None);
    wait_refetch_interval();
    let before = hits();
    assert_eq!(create(&signed_ed25519(&new, "new", claims())).status, 201);
    assert_eq!(hits(), before, "fresh cached keys need no fetch");
    assert_refused(
        &create(&signed_ed25519(&new, "unknown", claims())),
        "token signing key not found",
    );
    assert_eq!(
        hits(),
        before + 1,
        "the unknown kid tried the endpoint once"
    );
    assert_eq!(create(&signed_ed25519(&new, "new", claims())).status, 201);
    assert_eq!(create(&signed("RS256", "rsa-1", claims())).status, 201);

    serve(jwks(&[ed25519_jwk(&new, "new")]));
}
