//! The create use case against `MemoryStore`: collisions, failures and idempotency forced
//! exactly. The real stores are covered by `tests/api`.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::*;
use crate::domain::{
    CreateLicenseRequest, Fingerprint, IdempotencyKey, ObjectIdGenerator, OsRandom, UserId,
};
use crate::storage::{MemoryStore, StoreError};

const BODY: &[u8] = br#"{"duration":1,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b"}"#;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 31, 10, 0, 0).unwrap()
}

fn user() -> UserId {
    UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap()
}

fn run(
    store: &MemoryStore,
    at: DateTime<Utc>,
    body: &[u8],
    key: Option<&str>,
) -> Result<Created, AppError> {
    // One generator for the whole test process, as one per isolate in the worker.
    static IDS: std::sync::LazyLock<ObjectIdGenerator> =
        std::sync::LazyLock::new(|| ObjectIdGenerator::new([1, 2, 3, 4, 5], 0));
    let mut deps = Deps {
        store,
        ids: &IDS,
        random: OsRandom,
        now: at,
    };
    let input = CreateLicenseRequest::parse(body).unwrap();
    let user = user();
    // The request's client and project are the caller's.
    store.seed_project(&user, input.client, input.project);
    let idempotency = key.map(|k| {
        (
            IdempotencyKey::parse(k).unwrap(),
            Fingerprint::of(&user, body),
        )
    });
    let command = CreateLicense {
        user: &user,
        input: &input,
        idempotency,
    };
    pollster::block_on(create_license(&mut deps, command))
}

fn new_license(outcome: Result<Created, AppError>) -> crate::domain::License {
    match outcome {
        Ok(Created::New(license)) => license,
        other => panic!("expected a new license, got {other:?}"),
    }
}

#[test]
fn a_valid_request_stores_and_returns_one_pending_license() {
    let store = MemoryStore::new();
    let license = new_license(run(&store, now(), BODY, None));
    assert_eq!(license.status.as_str(), "PENDING");
    assert_eq!(
        crate::domain::format_timestamp(license.expires_at),
        "2024-02-29T10:00:00.000Z",
        "clamped to the leap day"
    );
    assert_eq!(store.licenses(), vec![license]);
}

#[test]
fn a_key_collision_is_retried_with_a_fresh_key_and_id() {
    let store = MemoryStore::recording();
    store.fail_next_inserts([StoreError::Duplicate, StoreError::Duplicate]);
    let license = new_license(run(&store, now(), BODY, None));
    let attempts = store.attempts();
    assert_eq!(attempts.len(), 3);
    assert_ne!(attempts[0].key, attempts[1].key);
    assert_ne!(attempts[0].id, attempts[1].id);
    assert_eq!(license, attempts[2], "the stored license is returned");
}

#[test]
fn endless_collisions_end_in_an_error_not_a_loop() {
    let store = MemoryStore::recording();
    store.fail_next_inserts(std::iter::repeat_n(StoreError::Duplicate, 10));
    assert_eq!(run(&store, now(), BODY, None), Err(AppError::NoUniqueKey));
    assert_eq!(store.attempts().len(), create_license::MAX_ATTEMPTS);
    assert!(store.licenses().is_empty());
}

#[test]
fn a_store_failure_is_reported_and_not_retried() {
    let store = MemoryStore::recording();
    let failure = StoreError::Unavailable {
        operation: "insert license",
        detail: "disk I/O error".into(),
    };
    store.fail_next_inserts([failure.clone()]);
    assert_eq!(
        run(&store, now(), BODY, None),
        Err(AppError::Storage(failure))
    );
    assert_eq!(store.attempts().len(), 1);
    assert!(store.licenses().is_empty());
}

#[test]
fn a_repeated_idempotency_key_replays_the_first_license_and_creates_nothing() {
    let store = MemoryStore::new();
    let first = new_license(run(&store, now(), BODY, Some("order-1")));
    let again = run(&store, now() + TimeDelta::hours(23), BODY, Some("order-1"));
    assert_eq!(again, Ok(Created::Replayed(first)));
    assert_eq!(store.licenses().len(), 1);
}

#[test]
fn the_same_key_with_a_different_request_is_a_mismatch() {
    let store = MemoryStore::new();
    new_license(run(&store, now(), BODY, Some("order-2")));
    let other = String::from_utf8_lossy(BODY).replace("\"duration\":1", "\"duration\":2");
    assert_eq!(
        run(&store, now(), other.as_bytes(), Some("order-2")),
        Err(AppError::IdempotencyMismatch)
    );
    assert_eq!(store.licenses().len(), 1);
}

#[test]
fn an_expired_key_is_released_and_creates_a_new_license() {
    let store = MemoryStore::new();
    let first = new_license(run(&store, now(), BODY, Some("order-3")));
    let later = new_license(run(
        &store,
        now() + TimeDelta::hours(25),
        BODY,
        Some("order-3"),
    ));
    assert_ne!(later.key, first.key);
    assert_eq!(store.licenses().len(), 2);
}

#[test]
fn losing_a_race_for_a_key_replays_the_winner() {
    let store = MemoryStore::recording();
    let winner = new_license(run(&store, now(), BODY, Some("order-4")));
    // The loser looked before the winner's row was visible, then hit the unique key on insert.
    store.miss_next_lookups(1);
    assert_eq!(
        run(&store, now(), BODY, Some("order-4")),
        Ok(Created::Replayed(winner))
    );
    assert_eq!(store.attempts().len(), 2, "the loser tried once and lost");
    assert_eq!(store.licenses().len(), 1);
}

#[test]
fn a_key_held_by_a_request_still_in_flight_is_reported_as_in_progress() {
    let store = MemoryStore::new();
    // Every lookup misses (the winner's row never becomes visible) and every insert conflicts.
    store.miss_next_lookups(2);
    store.fail_next_inserts([
        StoreError::IdempotencyConflict,
        StoreError::IdempotencyConflict,
    ]);
    assert_eq!(
        run(&store, now(), BODY, Some("order-5")),
        Err(AppError::IdempotencyInProgress)
    );
    assert!(store.licenses().is_empty());
}
