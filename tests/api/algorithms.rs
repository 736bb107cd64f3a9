//! Every algorithm against the main worker, whose `JWT_PUBLIC_KEY` holds one key per
//! asymmetric algorithm (each with its `kid`) next to the HS256 `JWT_SECRET`; and the cost of
//! a verification inside the worker (an ignored trial, run on demand).

use std::time::{Duration, Instant};

use base64ct::Encoding;
use serde_json::json;

use crate::support::keys::{public_jwk, signed, ASYMMETRIC};
use crate::support::{
    count_licenses, create_body, hmac_token, new_project, post_create, random_object_id,
    sign_token, token, worker,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    let mut trials = trials![
        a_token_of_every_asymmetric_algorithm_creates_a_license_for_its_subject,
        a_key_only_accepts_the_algorithm_it_was_configured_with,
        an_hs256_token_keyed_with_a_public_key_is_refused,
        every_asymmetric_algorithm_refuses_an_altered_payload_or_signature,
    ];
    // Run on demand (`-- --ignored request_time`), against the D1 worker.
    let timing = crate::support::trials_for(
        &[crate::support::Backend::D1],
        crate::support::Sharing::Shared,
        module_path!(),
        &[(
            "request_time_per_algorithm",
            request_time_per_algorithm as fn(),
        )],
    );
    trials.extend(timing.into_iter().map(|t| t.with_ignored_flag(true)));
    trials
}

fn assert_unauthorized(token: &str, reason: &str) {
    let reply = post_create(Some(token), &create_body(&random_object_id()));
    assert_eq!(reply.status, 401, "{reason}: {}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"message": "Unauthorized", "error": reason})
    );
}

fn a_token_of_every_asymmetric_algorithm_creates_a_license_for_its_subject() {
    let mut stored = 0;
    for (alg, kid) in ASYMMETRIC {
        let user = format!("user-{alg}");
        // Each subject licenses a project of its own.
        let project = new_project(&user);
        let token = signed(alg, kid, json!({"sub": user, "exp": 600}));
        let reply = post_create(Some(&token), &create_body(&project));
        assert_eq!(reply.status, 201, "{alg}: {}", reply.body);
        assert_eq!(reply.json()["license"]["user"], user.as_str(), "{alg}");
        stored += count_licenses(&project);
    }
    assert_eq!(stored, ASYMMETRIC.len() as u64);
}

fn a_key_only_accepts_the_algorithm_it_was_configured_with() {
    let claims = || json!({"sub": "u", "exp": 600});
    // RS256 signature under the kid of the PS256 key (same RSA key pair, other algorithm).
    assert_unauthorized(
        &signed("RS256", "rsa-ps256", claims()),
        "token algorithm not accepted",
    );
    // A PS256 signature presented as RS256 under the RS256 kid.
    let ps = signed("PS256", "rsa-ps256", claims());
    let (_, rest) = ps.split_once('.').unwrap();
    let rs_header = base64ct::Base64UrlUnpadded::encode_string(
        json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-rs256"})
            .to_string()
            .as_bytes(),
    );
    assert_unauthorized(&format!("{rs_header}.{rest}"), "invalid signature");
    assert_unauthorized(
        &signed("ES256", "okp-ed25519", claims()),
        "token algorithm not accepted",
    );
    // The HS256 secret still works, and HS512 under it does not.
    assert_eq!(
        post_create(Some(&token("u")), &create_body(&new_project("u"))).status,
        201
    );
    let hs512 = hmac_token("HS512", worker().secret.as_bytes(), claims());
    assert_unauthorized(&hs512, "token algorithm not accepted");
}

fn an_hs256_token_keyed_with_a_public_key_is_refused() {
    // The classic confusion: the attacker knows the public key and uses it as an HMAC secret.
    for (alg, kid) in ASYMMETRIC {
        let public = public_jwk(alg, kid).to_string();
        let forged = sign_token(
            json!({"sub": "admin", "exp": 4_000_000_000u64}),
            public.as_bytes(),
        );
        assert_unauthorized(&forged, "invalid signature");
    }
}

/// The worker verifies these with WebCrypto: a signature it cannot parse, or one over other
/// bytes, is refused like any other bad signature (401, never a 500 from a rejected Promise).
fn every_asymmetric_algorithm_refuses_an_altered_payload_or_signature() {
    let forged = base64ct::Base64UrlUnpadded::encode_string(
        json!({"sub": "admin", "exp": 4_000_000_000u64})
            .to_string()
            .as_bytes(),
    );
    for (alg, kid) in ASYMMETRIC {
        let good = signed(alg, kid, json!({"sub": "u", "exp": 600}));
        let (header, rest) = good.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let mut bytes = base64ct::Base64UrlUnpadded::decode_vec(signature).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped = base64ct::Base64UrlUnpadded::encode_string(&bytes);
        let truncated = base64ct::Base64UrlUnpadded::encode_string(&bytes[..last]);
        let zeros = base64ct::Base64UrlUnpadded::encode_string(&vec![0u8; bytes.len()]);
        let cases = [
            (format!("{header}.{forged}.{signature}"), "payload replaced"),
            (
                format!(
                    "{header}.{rest_payload}.{flipped}",
                    rest_payload = rest.split_once('.').unwrap().0
                ),
                "one bit flipped",
            ),
            (format!("{header}.{forged}.{truncated}"), "one byte short"),
            (format!("{header}.{forged}.{zeros}"), "all zeros"),
            (format!("{header}.{forged}."), "empty signature"),
        ];
        for (token, why) in cases {
            let reply = post_create(Some(&token), &create_body(&random_object_id()));
            assert_eq!(reply.status, 401, "{alg}, {why}: {}", reply.body);
            assert_eq!(
                reply.json(),
                json!({"message": "Unauthorized", "error": "invalid signature"}),
                "{alg}, {why}"
            );
        }
        // The genuine token still passes after the refusals (the imported key is intact).
        let reply = post_create(Some(&good), &create_body(&new_project("u")));
        assert_eq!(reply.status, 201, "{alg}: {}", reply.body);
    }
}

/// Per algorithm, `POST /license/create` with a valid token and an invalid body (auth runs,
/// then a 400: no D1 write), against the no-token 401: the median round trip of sequential
/// requests, and the wall time per request of a saturating burst (8 clients in parallel; the
/// isolate runs one request at a time, so this approximates its CPU time per request).
/// `cargo test --test api -- --ignored request_time` (see README).
fn request_time_per_algorithm() {
    const ROUNDS: usize = 200;
    const BURST: usize = 800;
    const CLIENTS: usize = 8;
    let body = r#"{"duration":99,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b"}"#;
    let mut cases: Vec<(String, Option<String>, u16)> = vec![
        ("no token (401)".into(), None, 401),
        ("HS256".into(), Some(token("u")), 400),
    ];
    for (alg, kid) in ASYMMETRIC {
        let token = signed(alg, kid, json!({"sub": "u", "exp": 3600}));
        cases.push((alg.into(), Some(token), 400));
    }
    println!(
        "\n{:<16} {:>10} {:>10} {:>14}",
        "token", "median ms", "p90 ms", "burst ms/req"
    );
    for (name, token, status) in cases {
        for _ in 0..10 {
            post_create(token.as_deref(), body);
        }
        let mut times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let started = Instant::now();
                let reply = post_create(token.as_deref(), body);
                let elapsed = started.elapsed();
                assert_eq!(reply.status, status, "{name}: {}", reply.body);
                elapsed
            })
            .collect();
        times.sort();
        let started = Instant::now();
        // The backend is per thread: the clients inherit the trial's.
        let backend = crate::support::backend();
        std::thread::scope(|scope| {
            for _ in 0..CLIENTS {
                scope.spawn(|| {
                    crate::support::with_backend(backend, || {
                        for _ in 0..BURST / CLIENTS {
                            assert_eq!(post_create(token.as_deref(), body).status, status);
                        }
                    })
                });
            }
        });
        let burst = started.elapsed().as_secs_f64() * 1000.0 / BURST as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<16} {:>10.2} {:>10.2} {:>14.2}",
            ms(times[ROUNDS / 2]),
            ms(times[ROUNDS * 9 / 10]),
            burst
        );
    }
}
