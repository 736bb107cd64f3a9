//! CPU time of one token verification per algorithm, natively (release profile):
//! `cargo bench --bench verify`. The whole pure path runs: Bearer header, parsing, key
//! selection, signature, claims. The wasm cost is measured over HTTP (see README).

// The benchmark signs with native-only dev-dependencies.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use base64ct::{Base64UrlUnpadded, Encoding};
    use chrono::{DateTime, Utc};
    use jwt_compact::alg::{
        Ed25519, Es256, Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key, Rsa, RsaPrivateKey,
    };
    use jwt_compact::{Algorithm, AlgorithmSignature};
    use keybox::auth::{authenticate, Alg, Key, NoRemoteKeys, Verifier};
    use rsa::traits::PublicKeyParts;
    use serde_json::json;

    const SECRET: &[u8] = b"benchmark-secret-with-enough-entropy-0123";

    fn b64(bytes: &[u8]) -> String {
        Base64UrlUnpadded::encode_string(bytes)
    }

    fn sign<A: Algorithm>(alg: A, key: &A::SigningKey, input: &str) -> String {
        let signature = alg.sign(key, input.as_bytes());
        format!("{input}.{}", b64(&signature.as_bytes()))
    }

    pub fn main() {
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        let rsa = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key");
        let p256 = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let ed = ed25519_compact::KeyPair::generate();
        let claims = json!({"sub": "60f7b3b3e6b3a72e8c8e4a1a", "exp": now.timestamp() + 3600});
        let payload = b64(claims.to_string().as_bytes());
        let public = rsa.to_public_key();
        let point = p256.verifying_key().to_encoded_point(false);

        println!("{:<8} {:>12} {:>12}", "alg", "µs/verify", "verifies/s");
        for alg in Alg::ALL {
            let input = format!(
                "{}.{payload}",
                b64(format!(r#"{{"alg":"{}"}}"#, alg.name()).as_bytes())
            );
            let (token, key) = match alg {
                Alg::Hs256 => (
                    sign(Hs256, &Hs256Key::new(SECRET), &input),
                    Key::secret(SECRET, alg),
                ),
                Alg::Hs384 => (
                    sign(Hs384, &Hs384Key::new(SECRET), &input),
                    Key::secret(SECRET, alg),
                ),
                Alg::Hs512 => (
                    sign(Hs512, &Hs512Key::new(SECRET), &input),
                    Key::secret(SECRET, alg),
                ),
                Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 => {
                    let rsa_alg = Rsa::with_name(alg.name());
                    let jwk = json!({"kty": "RSA", "alg": alg.name(),
                        "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())});
                    (sign(rsa_alg, &rsa, &input), Key::from_jwk(&jwk, None))
                }
                Alg::Es256 => {
                    let jwk = json!({"kty": "EC", "crv": "P-256",
                        "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())});
                    (sign(Es256, &p256, &input), Key::from_jwk(&jwk, None))
                }
                Alg::EdDsa => {
                    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&ed.pk[..])});
                    (sign(Ed25519, &ed.sk, &input), Key::from_jwk(&jwk, None))
                }
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
        let mut keys = Vec::new();
        for alg in ["RS256", "RS384", "RS512", "PS256"] {
            keys.push(json!({"kty": "RSA", "alg": alg, "kid": alg,
                "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())}));
        }
        keys.push(json!({"kty": "EC", "crv": "P-256", "kid": "ec",
            "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())}));
        keys.push(json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(&ed.pk[..])}));
        let jwks = json!({ "keys": keys }).to_string();
        let lookup = |name: &str| match name {
            "JWT_SECRET" => Some("s".repeat(32)),
            "JWT_PUBLIC_KEY" => Some(jwks.clone()),
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
