//! The whole `POST /license/create` path natively, without I/O: `Config` from the secret (as the
//! worker builds it on every request), bearer-token check (HS256), body parse and validation,
//! key and ObjectId generation (OS randomness), and the 201 body's serialisation, with the in-memory store
//! of the tests. Run with `cargo bench --bench request_path`.
//!
//! Native only (criterion does not build for wasm32); on wasm32 this is an empty program so that
//! `cargo clippy --all-targets --target wasm32-unknown-unknown` still checks the crate.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use chrono::{DateTime, TimeZone, Utc};
    use criterion::{criterion_group, Criterion};
    use jwt_compact::alg::{Hs256, Hs256Key};
    use jwt_compact::{AlgorithmExt, Claims, Header};
    use keybox::auth::{verify, Key, NoRemoteKeys, UntrustedJwt};
    use keybox::config::Config;
    use keybox::domain::{CreateLicenseRequest, ObjectIdGenerator, OsRandom};
    use keybox::http::{
        handle, ApiRequest, ApiResponse, Body, Context, CorsPolicy, RequestHeaders,
    };
    use keybox::storage::MemoryStore;
    use serde_json::json;

    const SECRET: &str = "bench-secret-0123456789abcdef0123456789abcdef0123456789abcdef";
    const BODY: &[u8] = br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}"#;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn bearer() -> String {
        let claims = Claims::new(json!({
            "sub": "60f7b3b3e6b3a72e8c8e4a1a",
            "iat": now().timestamp(),
            "exp": now().timestamp() + 3600,
        }));
        let token = Hs256
            .token(&Header::empty(), &claims, &Hs256Key::new(SECRET))
            .unwrap();
        format!("Bearer {token}")
    }

    fn secret_config() -> Result<Config, keybox::config::ConfigError> {
        Config::from_lookup(|name| (name == "JWT_SECRET").then(|| SECRET.to_owned()))
    }

    fn create(authorization: &str, ids: &ObjectIdGenerator, store: &MemoryStore) -> ApiResponse {
        let config = secret_config();
        let cors = CorsPolicy::default();
        let mut cx = Context {
            config: config.as_ref().map_err(|e| *e),
            cors: &cors,
            remote_keys: &NoRemoteKeys,
            store: Ok(store),
            ids: Ok(ids),
            now: now(),
            random: OsRandom,
            limiter: None,
        };
        let request = ApiRequest {
            method: "POST".into(),
            path: "/license/create".into(),
            query: String::new(),
            headers: RequestHeaders {
                authorization: Some(authorization.into()),
                content_type: Some("application/json".into()),
                ..RequestHeaders::default()
            },
            body: Body::Bytes(BODY.to_vec()),
            url_origin: "https://keybox.example".into(),
        };
        pollster::block_on(handle(request, &mut cx))
    }

    fn request_path(c: &mut Criterion) {
        let authorization = bearer();
        let ids = ObjectIdGenerator::new([1, 2, 3, 4, 5], 0);
        // The one in-memory store of the tests: hash lookups, so its cost stays flat as it fills.
        let store = MemoryStore::new();
        let first = create(&authorization, &ids, &store);
        assert_eq!(first.status, 201, "{}", first.body);

        c.bench_function("create_license/hs256_201", |b| {
            b.iter(|| create(black_box(&authorization), &ids, &store))
        });

        // The parts, to see where the time goes.
        let config = secret_config().unwrap();
        let keys: Vec<&Key> = config.verifier.keys.iter().collect();
        let token = authorization.strip_prefix("Bearer ").unwrap();
        c.bench_function("part/config_from_secret", |b| {
            b.iter(|| black_box(secret_config()))
        });
        c.bench_function("part/jwt_verify_hs256", |b| {
            b.iter(|| {
                let jwt = UntrustedJwt::parse(black_box(token)).unwrap();
                pollster::block_on(verify(&jwt, &keys, &config.verifier.rules, now())).unwrap()
            })
        });
        c.bench_function("part/body_parse", |b| {
            b.iter(|| CreateLicenseRequest::parse(black_box(BODY)).unwrap())
        });
    }

    criterion_group!(benches, request_path);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);
