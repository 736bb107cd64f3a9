//! Licenses for the lifecycle use cases' unit tests, stored straight into a `MemoryStore`.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};

use crate::domain::{
    CreateLicenseRequest, License, LicenseKey, ObjectIdGenerator, OsRandom, UserId,
};
use crate::storage::{LicenseStore, MemoryStore};

pub const CLIENT: &str = "60f7b3b3e6b3a72e8c8e4a1a";
pub const PROJECT: &str = "60f7b3b3e6b3a72e8c8e4a1b";

pub fn owner() -> UserId {
    UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap()
}

pub fn stranger() -> UserId {
    UserId::parse("auth0|stranger").unwrap()
}

/// Stores a PENDING license of `user` in `project`, issued at `issued_at` for `months`.
pub fn issue_for(
    store: &MemoryStore,
    user: &UserId,
    project: &str,
    issued_at: DateTime<Utc>,
    months: u8,
) -> License {
    static IDS: std::sync::LazyLock<ObjectIdGenerator> =
        std::sync::LazyLock::new(|| ObjectIdGenerator::new([7, 7, 7, 7, 7], 0));
    static SECONDS: AtomicU32 = AtomicU32::new(1_700_000_000);
    let body = format!(
        r#"{{"duration":{months},"clientId":"{CLIENT}","projectId":"{project}","services":["Hosting"]}}"#
    );
    let request = CreateLicenseRequest::parse(body.as_bytes()).unwrap();
    let id = IDS.generate(SECONDS.fetch_add(1, Ordering::Relaxed));
    let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
    let license = License::issue(&request, user.clone(), issued_at, id, key);
    // Licenses are stored only in a project of their owner's (issue 9's ownership rule).
    store.seed_project(user, request.client, request.project);
    pollster::block_on(store.insert(&license, None)).unwrap();
    license
}

/// Stores a PENDING license of [`owner`] issued at `issued_at` for `months`: its key.
pub fn issue(store: &MemoryStore, issued_at: DateTime<Utc>, months: u8) -> String {
    issue_for(store, &owner(), PROJECT, issued_at, months)
        .key
        .as_str()
        .to_owned()
}
