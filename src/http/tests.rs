//! The request path natively, with an in-memory store standing in for D1 so that collisions
//! and failures can be forced exactly. The real store is covered by `tests/api`.

use std::cell::RefCell;

use chrono::TimeZone;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Value};

use super::*;
use crate::auth::NoRemoteKeys;
use crate::domain::{IdempotencyKey, IdempotencyTag, UserId};
use crate::domain::{License, OsRandom, RandomSource};
use crate::storage::{IdempotentLicense, StoreError};

const SECRET: &str = "unit-test-secret-of-at-least-32-bytes";

/// An in-memory store with the real uniqueness rules; `script` forces the outcome of the next
/// inserts (then the rules apply). Records every attempt.
#[derive(Default)]
struct ScriptedStore {
    script: RefCell<Vec<Result<(), StoreError>>>,
    attempts: RefCell<Vec<License>>,
    stored: RefCell<Vec<(License, Option<IdempotencyTag>)>>,
    /// Idempotency lookups to answer "not found" regardless (a concurrent writer not yet seen).
    missed_lookups: std::cell::Cell<usize>,
}

impl ScriptedStore {
    fn licenses(&self) -> Vec<License> {
        self.stored
            .borrow()
            .iter()
            .map(|(l, _)| l.clone())
            .collect()
    }
}

impl LicenseStore for ScriptedStore {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        self.attempts.borrow_mut().push(license.clone());
        if !self.script.borrow().is_empty() {
            let outcome = self.script.borrow_mut().remove(0);
            outcome.clone()?;
        }
        let stored = self.stored.borrow();
        if stored
            .iter()
            .any(|(l, _)| l.key == license.key || l.id == license.id)
        {
            return Err(StoreError::Duplicate);
        }
        let same_key = |t: &Option<IdempotencyTag>, l: &License| {
            idempotency.is_some_and(|new| {
                t.as_ref().is_some_and(|t| t.key == new.key) && l.user == license.user
            })
        };
        if stored.iter().any(|(l, t)| same_key(t, l)) {
            return Err(StoreError::IdempotencyConflict);
        }
        drop(stored);
        self.stored
            .borrow_mut()
            .push((license.clone(), idempotency.cloned()));
        Ok(())
    }

    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError> {
        if self.missed_lookups.get() > 0 {
            self.missed_lookups.set(self.missed_lookups.get() - 1);
            return Ok(None);
        }
        Ok(self.stored.borrow().iter().find_map(|(license, tag)| {
            let tag = tag
                .as_ref()
                .filter(|t| &license.user == user && &t.key == key && t.expires_at > now)?;
            Some(IdempotentLicense {
                license: license.clone(),
                fingerprint: tag.fingerprint.clone(),
            })
        }))
    }

    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for (license, tag) in self.stored.borrow_mut().iter_mut() {
            if &license.user == user
                && tag
                    .as_ref()
                    .is_some_and(|t| &t.key == key && t.expires_at <= now)
            {
                *tag = None;
            }
        }
        Ok(())
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 31, 10, 0, 0).unwrap()
}

/// A valid HS256 bearer header for the test user, at `at`.
fn bearer_at(at: DateTime<Utc>) -> String {
    let claims =
        Claims::new(json!({"sub": "60f7b3b3e6b3a72e8c8e4a1a", "exp": at.timestamp() + 60}));
    let token = Hs256
        .token(&Header::empty(), &claims, &Hs256Key::new(SECRET))
        .unwrap();
    format!("Bearer {token}")
}

fn bearer() -> String {
    bearer_at(now())
}

const BODY: &str = r#"{"duration":1,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b"}"#;

fn send(
    store: &ScriptedStore,
    config: Result<&Config, ConfigError>,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> ApiResponse {
    let request = ApiRequest {
        method,
        path,
        authorization: auth,
        content_type: Some("application/json"),
        idempotency_key: None,
        cors: CorsRequest::default(),
        body: Body::Bytes(body.into()),
    };
    send_at(store, config, now(), request)
}

fn send_at(
    store: &ScriptedStore,
    config: Result<&Config, ConfigError>,
    at: DateTime<Utc>,
    request: ApiRequest,
) -> ApiResponse {
    let mut seed = [0u8; 8];
    OsRandom.fill(&mut seed).unwrap();
    let ids = ObjectIdGenerator::new(
        [seed[0], seed[1], seed[2], seed[3], seed[4]],
        u32::from(seed[5]) << 16,
    );
    let cors = CorsPolicy::from_setting(Some("https://app.example.com"));
    let mut app = App {
        config,
        cors: &cors,
        remote_keys: &NoRemoteKeys,
        store,
        ids: &ids,
        now: at,
        random: OsRandom,
    };
    pollster::block_on(handle(request, &mut app))
}

/// A create with `Idempotency-Key: key` at `at`.
fn create_idempotent(
    store: &ScriptedStore,
    key: &str,
    body: &str,
    at: DateTime<Utc>,
) -> ApiResponse {
    let config = secret_config();
    let authorization = bearer_at(at);
    let request = ApiRequest {
        method: "POST",
        path: "/license/create",
        authorization: Some(&authorization),
        content_type: Some("application/json"),
        idempotency_key: Some(key),
        cors: CorsRequest::default(),
        body: Body::Bytes(body.into()),
    };
    send_at(store, Ok(&config), at, request)
}

fn secret_config() -> Config {
    Config::from_lookup(|name| (name == "JWT_SECRET").then(|| SECRET.into())).unwrap()
}

fn create(store: &ScriptedStore) -> ApiResponse {
    let config = secret_config();
    send(
        store,
        Ok(&config),
        "POST",
        "/license/create",
        Some(&bearer()),
        BODY,
    )
}

fn json_of(response: &ApiResponse) -> Value {
    serde_json::from_str(&response.body).unwrap()
}

#[test]
fn a_valid_request_stores_and_returns_one_license() {
    let store = ScriptedStore::default();
    let response = create(&store);
    assert_eq!(response.status, 201, "{}", response.body);
    let body = json_of(&response);
    assert_eq!(body["message"], "License created");
    assert_eq!(body["license"]["issuedAt"], "2024-01-31T10:00:00.000Z");
    assert_eq!(
        body["license"]["expiresAt"], "2024-02-29T10:00:00.000Z",
        "clamped to the leap day"
    );
    let stored = store.licenses();
    assert_eq!(stored.len(), 1);
    assert_eq!(body["license"]["key"], stored[0].key.as_str());
    assert_eq!(body["license"]["_id"], stored[0].id.to_string());
}

#[test]
fn a_key_collision_is_retried_with_a_fresh_key_and_id() {
    let store = ScriptedStore::default();
    store
        .script
        .borrow_mut()
        .extend([Err(StoreError::Duplicate), Err(StoreError::Duplicate)]);
    let response = create(&store);
    assert_eq!(response.status, 201, "{}", response.body);
    let attempts = store.attempts.borrow();
    assert_eq!(attempts.len(), 3);
    assert_ne!(attempts[0].key, attempts[1].key);
    assert_ne!(attempts[0].id, attempts[1].id);
    assert_eq!(
        json_of(&response)["license"]["key"],
        attempts[2].key.as_str(),
        "the stored key is returned"
    );
}

#[test]
fn endless_collisions_end_in_a_500_not_a_loop() {
    let store = ScriptedStore::default();
    store
        .script
        .borrow_mut()
        .extend(std::iter::repeat_with(|| Err(StoreError::Duplicate)).take(10));
    let response = create(&store);
    assert_eq!(response.status, 500);
    assert_eq!(
        json_of(&response),
        json!({"error": "Could not generate a unique license key"})
    );
    assert_eq!(store.attempts.borrow().len(), 5);
    assert!(store.licenses().is_empty());
}

#[test]
fn a_store_failure_is_a_500_with_the_cause_only_in_the_log() {
    let store = ScriptedStore::default();
    let failure = StoreError::Unavailable {
        operation: "insert license",
        detail: "disk I/O error".into(),
    };
    store.script.borrow_mut().push(Err(failure));
    let response = create(&store);
    assert_eq!(response.status, 500);
    assert!(!response.body.contains("disk I/O"));
    assert_eq!(
        response.log.as_deref(),
        Some("insert license: disk I/O error")
    );
    assert_eq!(
        store.attempts.borrow().len(),
        1,
        "failures other than duplicates are not retried"
    );
}

#[test]
fn a_missing_secret_is_a_500_naming_the_setting() {
    let store = ScriptedStore::default();
    let missing = ConfigError {
        setting: "JWT_SECRET",
        problem: "is not set",
    };
    let response = send(
        &store,
        Err(missing),
        "POST",
        "/license/create",
        Some(&bearer()),
        BODY,
    );
    assert_eq!(response.status, 500);
    assert_eq!(
        json_of(&response),
        json!({"error": "Server misconfigured: JWT_SECRET is not set"})
    );
}

#[test]
fn routing_is_decided_before_anything_else() {
    let store = ScriptedStore::default();
    let missing = ConfigError {
        setting: "JWT_SECRET",
        problem: "is not set",
    };
    assert_eq!(
        send(&store, Err(missing), "GET", "/nope", None, "").status,
        404
    );
    assert_eq!(
        send(&store, Err(missing), "GET", "/license/create", None, "").status,
        405
    );
    assert!(store.attempts.borrow().is_empty());
}

#[test]
fn a_refused_request_never_reaches_the_store() {
    let store = ScriptedStore::default();
    let config = secret_config();
    for (auth, body, status) in [
        (None, BODY, 401),
        (Some(bearer()), r#"{"duration":99}"#, 400),
    ] {
        let response = send(
            &store,
            Ok(&config),
            "POST",
            "/license/create",
            auth.as_deref(),
            body,
        );
        assert_eq!(response.status, status);
    }
    assert!(store.attempts.borrow().is_empty());
}

#[test]
fn a_repeated_idempotency_key_replays_the_first_answer_and_creates_nothing() {
    let store = ScriptedStore::default();
    let first = create_idempotent(&store, "order-1", BODY, now());
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = create_idempotent(
        &store,
        "order-1",
        BODY,
        now() + chrono::TimeDelta::hours(23),
    );
    assert_eq!(
        (again.status, again.body.as_str()),
        (201, first.body.as_str())
    );
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(store.licenses().len(), 1);
}

#[test]
fn the_same_key_with_a_different_body_is_refused_with_422() {
    let store = ScriptedStore::default();
    assert_eq!(
        create_idempotent(&store, "order-2", BODY, now()).status,
        201
    );
    let other = BODY.replace("\"duration\":1", "\"duration\":2");
    let response = create_idempotent(&store, "order-2", &other, now());
    assert_eq!(response.status, 422);
    assert_eq!(
        json_of(&response),
        json!({"message": "Idempotency-Key already used with a different request"})
    );
    assert_eq!(store.licenses().len(), 1);
}

#[test]
fn an_expired_key_is_released_and_creates_a_new_license() {
    let store = ScriptedStore::default();
    let first = create_idempotent(&store, "order-3", BODY, now());
    let later = create_idempotent(
        &store,
        "order-3",
        BODY,
        now() + chrono::TimeDelta::hours(25),
    );
    assert_eq!(later.status, 201);
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_ne!(
        json_of(&later)["license"]["key"],
        json_of(&first)["license"]["key"]
    );
    assert_eq!(store.licenses().len(), 2);
}

#[test]
fn losing_a_race_for_a_key_replays_the_winner() {
    let store = ScriptedStore::default();
    let winner = create_idempotent(&store, "order-4", BODY, now());
    // The loser looked before the winner's row was visible, then hit the unique key on insert.
    store.missed_lookups.set(1);
    let loser = create_idempotent(&store, "order-4", BODY, now());
    assert_eq!(
        (loser.status, loser.body.as_str()),
        (201, winner.body.as_str())
    );
    assert_eq!(loser.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        store.attempts.borrow().len(),
        2,
        "the loser tried once and lost"
    );
    assert_eq!(store.licenses().len(), 1);
}

#[test]
fn an_unusable_idempotency_key_is_a_400() {
    let store = ScriptedStore::default();
    let response = create_idempotent(&store, "has spaces", BODY, now());
    assert_eq!(response.status, 400);
    assert_eq!(
        json_of(&response),
        json!({"message": "Invalid Idempotency-Key: expected 1 to 255 visible ASCII characters"})
    );
    assert!(store.attempts.borrow().is_empty());
}

#[test]
fn options_on_the_create_route_is_a_cors_preflight_and_other_methods_list_it() {
    let store = ScriptedStore::default();
    let config = secret_config();
    let ids = ObjectIdGenerator::new([1, 2, 3, 4, 5], 0);
    let cors = CorsPolicy::from_setting(Some("https://app.example.com"));
    let mut app = App {
        config: Ok(&config),
        cors: &cors,
        remote_keys: &NoRemoteKeys,
        store: &store,
        ids: &ids,
        now: now(),
        random: OsRandom,
    };
    let preflight = ApiRequest {
        method: "OPTIONS",
        path: "/license/create",
        authorization: None,
        content_type: None,
        idempotency_key: None,
        cors: CorsRequest {
            origin: Some("https://app.example.com"),
            request_method: Some("POST"),
            request_headers: Some("authorization,content-type"),
        },
        body: Body::Bytes(Vec::new()),
    };
    let response = pollster::block_on(handle(preflight, &mut app));
    assert_eq!(response.status, 204);
    assert!(response.headers.contains(&(
        "access-control-allow-origin",
        "https://app.example.com".into()
    )));
    let refused = ApiRequest {
        method: "OPTIONS",
        path: "/license/create",
        authorization: None,
        content_type: None,
        idempotency_key: None,
        cors: CorsRequest {
            origin: Some("https://evil.example.com"),
            request_method: Some("POST"),
            request_headers: Some("authorization"),
        },
        body: Body::Bytes(Vec::new()),
    };
    assert_eq!(pollster::block_on(handle(refused, &mut app)).status, 403);
    let get = send(&store, Ok(&config), "GET", "/license/create", None, "");
    assert_eq!(get.status, 405);
    assert!(get.headers.contains(&("allow", "POST, OPTIONS".into())));
    assert!(get.headers.contains(&("vary", "Origin".into())));
}

/// A JWKS that is down with nothing cached.
#[cfg(not(target_arch = "wasm32"))]
struct DownJwks;

#[cfg(not(target_arch = "wasm32"))]
impl crate::auth::RemoteKeys for DownJwks {
    async fn keys(
        &self,
        _: Option<&str>,
        _: DateTime<Utc>,
    ) -> Result<std::rc::Rc<Vec<crate::auth::Key>>, crate::auth::KeysUnavailable> {
        Err(crate::auth::KeysUnavailable)
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn no_usable_jwks_key_is_a_503_json_error_not_a_401() {
    let store = ScriptedStore::default();
    let config = Config::from_lookup(|name| match name {
        "JWT_JWKS_URL" => Some("https://idp.example/jwks".into()),
        "JWT_ISSUER" => Some("https://idp.example/".into()),
        "JWT_AUDIENCE" => Some("*".into()),
        _ => None,
    })
    .unwrap();
    let ids = ObjectIdGenerator::new([1, 2, 3, 4, 5], 0);
    let cors = CorsPolicy::default();
    let mut app = App {
        config: Ok(&config),
        cors: &cors,
        remote_keys: &DownJwks,
        store: &store,
        ids: &ids,
        now: now(),
        random: OsRandom,
    };
    let token = crate::auth::testing::sign(
        crate::auth::Alg::Rs256,
        Some("k1"),
        &json!({"sub": "u", "exp": now().timestamp() + 60}),
    );
    let auth = format!("Bearer {token}");
    let request = ApiRequest {
        method: "POST",
        path: "/license/create",
        authorization: Some(&auth),
        content_type: Some("application/json"),
        idempotency_key: None,
        cors: CorsRequest::default(),
        body: Body::Bytes(BODY.into()),
    };
    let response = pollster::block_on(handle(request, &mut app));
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(
        json_of(&response),
        json!({"error": "Could not verify the token: signing keys are unavailable"})
    );
    assert!(store.attempts.borrow().is_empty());
}
