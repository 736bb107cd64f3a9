//! How the worker reads its JWT settings, seen from outside: a deployment with public keys must
//! pin an issuer and an audience, secrets must be long enough, and every misconfiguration is a
//! 500 naming the setting, never its value; a secret-only deployment still takes the original
//! KeyBox tokens. Each case is a scratch worker with settings of its own, all on D1 (the checks
//! come before storage).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::single_trials;
use crate::support::keys::public_jwks;
use crate::support::{
    create_body, random_object_id, request_to, sign_token, spawn, start_scratch_worker, token,
    worker, ALLOWED_ORIGIN, AUDIENCE, ISSUER,
};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    single_trials![
        every_jwt_misconfiguration_answers_500_naming_the_setting,
        a_secret_only_deployment_accepts_original_keybox_tokens_without_issuer_or_audience,
        a_misconfigured_deployment_still_routes_and_its_500_is_readable_by_a_browser,
    ]
}

/// `POST /license/create` to `base_url` with `token`: status and JSON body.
fn create_on(base_url: &str, token: &str, body: &str) -> (u16, Value) {
    let reply = ureq::post(&format!("{base_url}/license/create"))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/json")
        .send_string(body);
    let response = match reply {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = response.status();
    let text = response.into_string().expect("readable body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, json)
}

/// `KEY='value'` lines for a scratch worker's env file (besides the run's `JWT_SECRET`).
fn env(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}='{value}'\n"))
        .collect()
}

fn every_jwt_misconfiguration_answers_500_naming_the_setting() {
    let jwks = public_jwks().to_string();
    let pinned = [("JWT_ISSUER", ISSUER), ("JWT_AUDIENCE", AUDIENCE)];
    let cases = [
        (
            "public-key-without-issuer",
            env(&[("JWT_PUBLIC_KEY", &jwks), pinned[1]]),
            "JWT_ISSUER is required with JWT_PUBLIC_KEY or JWT_JWKS_URL",
        ),
        (
            "jwks-without-audience",
            env(&[("JWT_JWKS_URL", "https://idp.keybox.test/jwks"), pinned[0]]),
            r#"JWT_AUDIENCE is required with JWT_PUBLIC_KEY or JWT_JWKS_URL ("*" accepts any audience)"#,
        ),
        (
            "jwks-url-with-user-info",
            env(&[("JWT_JWKS_URL", "http://localhost:@evil.keybox.test/jwks"), pinned[0], pinned[1]]),
            "JWT_JWKS_URL must not contain a user name or password",
        ),
        (
            "asymmetric-algorithm-with-secret",
            env(&[("JWT_ALGORITHM", "RS256")]),
            "JWT_ALGORITHM names an asymmetric algorithm while JWT_SECRET is set (a secret verifies HS256, HS384 or HS512)",
        ),
        (
            // Later lines of an env file win: this replaces the run's secret.
            "short-secret",
            env(&[("JWT_SECRET", "short-secret-0123")]),
            "JWT_SECRET is shorter than 32 bytes (RFC 7518, section 3.2)",
        ),
    ];
    // Started side by side: each scratch worker takes seconds to come up.
    let started: Vec<_> = cases
        .into_iter()
        .map(|(name, settings, message)| {
            let scratch = spawn(move || start_scratch_worker(name, &settings));
            (name, scratch, message)
        })
        .collect();
    for (name, scratch, message) in started {
        let scratch = scratch.join().unwrap().expect("a scratch worker");
        let (status, body) = create_on(
            scratch.base_url(),
            &token("u"),
            &create_body(&random_object_id()),
        );
        assert_eq!(status, 500, "{name}: {body}");
        assert_eq!(
            body,
            json!({ "error": format!("Server misconfigured: {message}") }),
            "{name}"
        );
        let text = body.to_string();
        for value in [
            "evil.keybox.test",
            "short-secret-0123",
            worker().secret.as_str(),
        ] {
            assert!(!text.contains(value), "{name} echoed a value");
        }
    }
}

/// The original KeyBox deployment: `JWT_SECRET` alone, tokens of `{userId, email, role}` with
/// neither `iss` nor `aud`. Auth runs before the body's checks, so a 400 about the body shows
/// the token was accepted (the scratch worker's D1 has no tables to store into).
fn a_secret_only_deployment_accepts_original_keybox_tokens_without_issuer_or_audience() {
    let scratch = start_scratch_worker("secret-only", "").expect("a scratch worker");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let original = sign_token(
        json!({"userId": "5f1d7c2e9b1e8a3d4c6b7a90", "email": "dev@example.com",
               "role": "developer", "exp": now + 600}),
        worker().secret.as_bytes(),
    );
    let (status, body) = create_on(scratch.base_url(), &original, r#"{"duration":0}"#);
    assert_eq!(
        (status, body),
        (400, json!({"message": "Invalid duration"}))
    );
    let forged = sign_token(
        json!({"userId": "u", "exp": now + 600}),
        b"another-secret-of-at-least-32-bytes",
    );
    let (status, body) = create_on(scratch.base_url(), &forged, r#"{"duration":0}"#);
    assert_eq!(
        (status, body["error"].clone()),
        (401, json!("invalid signature"))
    );
}

/// A broken `STORAGE` setting is answered by the routes that store, through the router: unknown
/// paths still 404, preflights and `/health` still answer, and the 500 carries the CORS headers
/// a browser needs to read it.
fn a_misconfigured_deployment_still_routes_and_its_500_is_readable_by_a_browser() {
    let settings = env(&[("STORAGE", "postgres"), ("CORS_ORIGINS", ALLOWED_ORIGIN)]);
    let scratch = start_scratch_worker("bad-storage", &settings).expect("a scratch worker");
    let target = scratch.worker();
    request_to(target, "GET", "/no/such/route", &[], None).assert_message(404, "Not found");
    let health = request_to(target, "GET", "/health", &[], None);
    assert_eq!(
        (health.status, health.json()),
        (200, json!({"status": "ok"}))
    );
    let preflight = request_to(
        target,
        "OPTIONS",
        "/license/create",
        &[
            ("Origin", ALLOWED_ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ),
        ],
        None,
    );
    assert_eq!(preflight.status, 204, "{}", preflight.body);
    let auth = format!("Bearer {}", token("u"));
    let body = create_body(&random_object_id());
    let create = request_to(
        target,
        "POST",
        "/license/create",
        &[
            ("Origin", ALLOWED_ORIGIN),
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(body.as_bytes()),
    );
    assert_eq!(create.status, 500, "{}", create.body);
    assert_eq!(
        create.json(),
        json!({"error": r#"Server misconfigured: STORAGE must be "d1" or "mongodb""#})
    );
    assert_eq!(
        create.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
}
