//! The whole request path natively: routing, authentication, the handler, the use case and
//! `MemoryStore`, with a fixed clock. What the wire looks like; the use cases' own rules are
//! in `app/tests.rs`, the real stores in `tests/api`.

use chrono::TimeZone;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Value};

use super::*;
use crate::auth::NoRemoteKeys;
use crate::domain::OsRandom;
use crate::storage::{MemoryStore, StoreError};

const SECRET: &str = "unit-test-secret-of-at-least-32-bytes!";
const ORIGIN: &str = "https://app.example.com";
const BODY: &str = r#"{"duration":1,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b"}"#;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 31, 10, 0, 0).unwrap()
}

fn bearer() -> String {
    let claims =
        Claims::new(json!({"sub": "60f7b3b3e6b3a72e8c8e4a1a", "exp": now().timestamp() + 60}));
    let token = Hs256
        .token(&Header::empty(), &claims, &Hs256Key::new(SECRET))
        .unwrap();
    format!("Bearer {token}")
}

fn secret_config() -> Config {
    Config::from_lookup(|name| (name == "JWT_SECRET").then(|| SECRET.into())).unwrap()
}

fn request(method: &str, path: &str, headers: RequestHeaders, body: &str) -> ApiRequest {
    ApiRequest {
        method: method.into(),
        path: path.into(),
        query: String::new(),
        headers,
        body: Body::Bytes(body.into()),
        url_origin: "https://keybox.example".into(),
    }
}

fn create_request(idempotency_key: Option<&str>) -> ApiRequest {
    request(
        "POST",
        "/license/create",
        RequestHeaders {
            authorization: Some(bearer()),
            content_type: Some("application/json".into()),
            idempotency_key: idempotency_key.map(Into::into),
            ..RequestHeaders::default()
        },
        BODY,
    )
}

/// A deployment as the edge builds it; `config` and `store` may be broken.
struct Deployment {
    config: Result<Config, ConfigError>,
    store: Result<MemoryStore, ConfigError>,
    cors: CorsPolicy,
}

impl Deployment {
    /// The token's user owns `BODY`'s client and project.
    fn healthy() -> Self {
        let store = MemoryStore::new();
        let id = |hex| crate::domain::ObjectId::parse(hex).unwrap();
        store.seed_project(
            &crate::domain::UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap(),
            id("60f7b3b3e6b3a72e8c8e4a1a"),
            id("60f7b3b3e6b3a72e8c8e4a1b"),
        );
        Self {
            config: Ok(secret_config()),
            store: Ok(store),
            cors: CorsPolicy::from_setting(Some(ORIGIN)),
        }
    }

    fn send(&self, request: ApiRequest) -> ApiResponse {
        self.send_with(request, &NoRemoteKeys)
    }

    fn send_with(&self, request: ApiRequest, remote_keys: &impl RemoteKeys) -> ApiResponse {
        static IDS: std::sync::LazyLock<ObjectIdGenerator> =
            std::sync::LazyLock::new(|| ObjectIdGenerator::new([1, 2, 3, 4, 5], 0));
        let mut cx = Context {
            config: self.config.as_ref().map_err(|e| *e),
            cors: &self.cors,
            remote_keys,
            store: self.store.as_ref().map_err(|e| *e),
            ids: Ok(&IDS),
            now: now(),
            random: OsRandom,
            limiter: None,
        };
        pollster::block_on(handle(request, &mut cx))
    }

    fn stored(&self) -> usize {
        self.store.as_ref().map_or(0, |s| s.licenses().len())
    }
}

fn json_of(response: &ApiResponse) -> Value {
    serde_json::from_str(&response.body).unwrap()
}

const MISSING_SECRET: ConfigError = ConfigError {
    setting: "JWT_SECRET",
    problem: "is not set",
};

#[test]
fn a_valid_create_answers_201_with_the_stored_license() {
    let deployment = Deployment::healthy();
    let response = deployment.send(create_request(None));
    assert_eq!(response.status, 201, "{}", response.body);
    let body = json_of(&response);
    assert_eq!(body["message"], "License created");
    assert_eq!(body["license"]["issuedAt"], "2024-01-31T10:00:00.000Z");
    let stored = deployment.store.as_ref().unwrap().licenses();
    assert_eq!(body["license"]["key"], stored[0].key.as_str());
    assert_eq!(response.header("idempotent-replayed"), None);
}

#[test]
fn a_replay_answers_the_same_body_marked_idempotent_replayed() {
    let deployment = Deployment::healthy();
    let first = deployment.send(create_request(Some("order-1")));
    let again = deployment.send(create_request(Some("order-1")));
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(deployment.stored(), 1);
}

#[test]
fn a_store_failure_is_a_500_with_the_cause_only_in_the_log() {
    let deployment = Deployment::healthy();
    deployment
        .store
        .as_ref()
        .unwrap()
        .fail_next_inserts([StoreError::Unavailable {
            operation: "insert license",
            detail: "disk I/O error".into(),
        }]);
    let response = deployment.send(create_request(None));
    assert_eq!(response.status, 500);
    assert_eq!(
        json_of(&response),
        json!({"error": "Could not store the license: the database is unavailable"})
    );
    assert_eq!(
        response.log.as_deref(),
        Some("insert license: disk I/O error")
    );
}

#[test]
fn a_missing_secret_is_a_500_naming_the_setting_with_cors_headers() {
    let deployment = Deployment {
        config: Err(MISSING_SECRET),
        ..Deployment::healthy()
    };
    let mut create = create_request(None);
    create.headers.origin = Some(ORIGIN.into());
    let response = deployment.send(create);
    assert_eq!(response.status, 500);
    assert_eq!(
        json_of(&response),
        json!({"error": "Server misconfigured: JWT_SECRET is not set"})
    );
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(ORIGIN),
        "a browser can read the 500"
    );
}

#[test]
fn a_misconfigured_deployment_still_routes_answers_preflights_and_health() {
    let broken_store = ConfigError {
        setting: "STORAGE",
        problem: "must be \"d1\" or \"mongodb\"",
    };
    let deployment = Deployment {
        config: Err(MISSING_SECRET),
        store: Err(broken_store),
        cors: CorsPolicy::from_setting(Some(ORIGIN)),
    };
    let none = RequestHeaders::default;
    assert_eq!(
        deployment.send(request("GET", "/nope", none(), "")).status,
        404
    );
    let wrong = deployment.send(request("GET", "/license/create", none(), ""));
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("POST, OPTIONS"));
    let preflight = RequestHeaders {
        origin: Some(ORIGIN.into()),
        request_method: Some("POST".into()),
        request_headers: Some("authorization, content-type, idempotency-key".into()),
        ..none()
    };
    let answer = deployment.send(request("OPTIONS", "/license/create", preflight, ""));
    assert_eq!(answer.status, 204);
    let health = deployment.send(request("GET", "/health", none(), ""));
    assert_eq!(
        (health.status, json_of(&health)),
        (200, json!({"status": "ok"}))
    );
}

#[test]
fn a_store_misconfiguration_is_a_500_on_the_routes_that_store() {
    let deployment = Deployment {
        store: Err(ConfigError {
            setting: "MONGODB_DATA_SOURCE",
            problem: "is not set (required when STORAGE is \"mongodb\")",
        }),
        ..Deployment::healthy()
    };
    let response = deployment.send(create_request(None));
    assert_eq!(response.status, 500);
    assert_eq!(
        json_of(&response)["error"],
        "Server misconfigured: MONGODB_DATA_SOURCE is not set (required when STORAGE is \"mongodb\")"
    );
}

#[test]
fn a_refused_request_never_reaches_the_store() {
    let deployment = Deployment::healthy();
    let mut anonymous = create_request(None);
    anonymous.headers.authorization = None;
    let mut invalid = create_request(None);
    invalid.body = Body::Bytes(br#"{"duration":99}"#.to_vec());
    let mut bad_key = create_request(Some("has spaces"));
    bad_key.headers.idempotency_key = Some("has spaces".into());
    for (request, status) in [(anonymous, 401), (invalid, 400), (bad_key, 400)] {
        assert_eq!(deployment.send(request).status, status);
    }
    assert_eq!(deployment.stored(), 0);
}

#[test]
fn an_unusable_idempotency_key_is_a_400_saying_what_is_expected() {
    let response = Deployment::healthy().send(create_request(Some("has spaces")));
    assert_eq!(response.status, 400);
    assert_eq!(
        json_of(&response),
        json!({"message": "Invalid Idempotency-Key: expected 1 to 255 visible ASCII characters"})
    );
}

#[test]
fn a_browser_preflight_for_create_allows_the_idempotency_key_from_the_allowed_origin_only() {
    let deployment = Deployment::healthy();
    let preflight = |origin: &str| {
        let headers = RequestHeaders {
            origin: Some(origin.into()),
            request_method: Some("POST".into()),
            request_headers: Some("authorization, content-type, idempotency-key".into()),
            ..RequestHeaders::default()
        };
        deployment.send(request("OPTIONS", "/license/create", headers, ""))
    };
    let allowed = preflight(ORIGIN);
    assert_eq!(allowed.status, 204);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(
        allowed.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, Idempotency-Key")
    );
    let refused = preflight("https://evil.example.com");
    assert_eq!(refused.status, 403);
    assert_eq!(
        json_of(&refused),
        json!({"message": "CORS request not allowed"})
    );
    assert_eq!(refused.header("access-control-allow-origin"), None);
}

#[test]
fn an_allowed_origin_can_read_the_replay_marker() {
    let deployment = Deployment::healthy();
    let mut create = create_request(Some("order-9"));
    create.headers.origin = Some(ORIGIN.into());
    let response = deployment.send(create);
    assert_eq!(
        response.header("access-control-expose-headers"),
        Some("Idempotent-Replayed, Retry-After, WWW-Authenticate")
    );
    assert_eq!(response.header("vary"), Some("Origin"));
}

#[test]
fn health_is_public_and_open_to_any_origin() {
    let headers = RequestHeaders {
        origin: Some("https://status.example.org".into()),
        ..RequestHeaders::default()
    };
    let response = Deployment::healthy().send(request("GET", "/health", headers, ""));
    assert_eq!(response.status, 200);
    assert_eq!(response.body, r#"{"status":"ok"}"#);
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
}

/// A JWKS that is down with nothing cached.
struct DownJwks;

impl RemoteKeys for DownJwks {
    async fn keys(
        &self,
        _: Option<&str>,
        _: DateTime<Utc>,
    ) -> Result<std::rc::Rc<Vec<crate::auth::Key>>, crate::auth::KeysUnavailable> {
        Err(crate::auth::KeysUnavailable)
    }
}

#[test]
fn no_usable_jwks_key_is_a_503_json_error_not_a_401() {
    let deployment = Deployment {
        config: Config::from_lookup(|name| match name {
            "JWT_JWKS_URL" => Some("https://idp.example/jwks".into()),
            "JWT_ISSUER" => Some("https://idp.example/".into()),
            "JWT_AUDIENCE" => Some("*".into()),
            _ => None,
        }),
        ..Deployment::healthy()
    };
    assert!(deployment.config.is_ok());
    let token = crate::auth::testing::sign(
        crate::auth::Alg::Rs256,
        Some("k1"),
        &json!({"sub": "u", "exp": now().timestamp() + 60, "iss": "https://idp.example/"}),
    );
    let mut create = create_request(None);
    create.headers.authorization = Some(format!("Bearer {token}"));
    let response = deployment.send_with(create, &DownJwks);
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(
        json_of(&response),
        json!({"error": "Could not verify the token: signing keys are unavailable"})
    );
    assert_eq!(response.header("retry-after"), Some("30"));
    assert_eq!(deployment.stored(), 0);
}

mod license_token_keys;
