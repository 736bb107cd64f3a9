//! CPU time of one token verification per algorithm, natively (release profile):
//! `cargo bench --bench verify`. The whole pure path runs: Bearer header, parsing, key
//! selection, signature, claims. The wasm cost is measured over HTTP (see docs/performance.md).

// The benchmark signs with native-only dev-dependencies: the shared test keys.
#[cfg(not(target_arch = "wasm32"))]
#[path = "../../src/auth/test_keys.rs"]
mod test_keys;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use chrono::{DateTime, Utc};
    use keybox::auth::{authenticate, Alg, Key, NoRemoteKeys, Verifier};
    use serde_json::json;

    use super::test_keys;

    pub fn main() {
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        let claims = json!({"sub": "60f7b3b3e6b3a72e8c8e4a1a", "exp": now.timestamp() + 3600});

        println!("{:<8} {:>12} {:>12}", "alg", "µs/verify", "verifies/s");
        for alg in Alg::ALL {
            let token = test_keys::sign(alg.name(), None, &claims);
            let key = if alg.is_hmac() {
                Key::secret(test_keys::SECRET, alg)
            } else {
                Key::from_jwk(&test_keys::public_jwk(alg.name(), "k"), None)
            };
            let verifier = Verifier {
                keys: vec![key.expect("key loads")],
                ..Verifier::default()
            };
            let header = format!("Bearer {token}");
            let once = || {
                pollster::block_on(authenticate(
                    Some(black_box(&header)),
                    &verifier,
                    &NoRemoteKeys,
                    now,
                ))
                .expect("verifies")
            };
            once();
            // Calibrate to about half a second per algorithm.
            let mut rounds = 1u32;
            loop {
                let started = Instant::now();
                for _ in 0..rounds {
                    black_box(once());
                }
                let elapsed = started.elapsed();
                if elapsed > Duration::from_millis(500) {
                    let per = elapsed.as_secs_f64() / f64::from(rounds);
                    println!("{:<8} {:>12.1} {:>12.0}", alg.name(), per * 1e6, 1.0 / per);
                    break;
                }
                rounds *= 2;
            }
        }

        // The worker reads its configuration on every request: a secret plus a JWKS holding
        // one key per asymmetric algorithm (the integration suite's main worker).
        let jwks = test_keys::public_jwks().to_string();
        let lookup = |name: &str| match name {
            "JWT_SECRET" => Some("s".repeat(32)),
            "JWT_PUBLIC_KEY" => Some(jwks.clone()),
            "JWT_ISSUER" => Some("https://issuer.example/".to_owned()),
            "JWT_AUDIENCE" => Some("keybox".to_owned()),
            _ => None,
        };
        let rounds = 2000;
        let started = Instant::now();
        for _ in 0..rounds {
            black_box(keybox::config::Config::from_lookup(lookup).expect("config"));
        }
        let per = started.elapsed().as_secs_f64() / f64::from(rounds);
        println!("config with a secret and a 6-key JWKS: {:.1} µs", per * 1e6);
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
