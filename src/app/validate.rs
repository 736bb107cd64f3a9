//! Validate a license for a machine: the hot path. One read by key from the nearest copy of
//! the store, the verdict computed from it, and a conditional write only when an ACTIVE or
//! PENDING license is found past its expiry.
//!
//! A copy that may lag the primary (a D1 read replica) may vouch for a license but never
//! refuse one alone: its refusal may predate the creation, activation, renewal or
//! reinstatement the caller just made, so a refusal is read again from the primary. The
//! success path stays one read; a revocation reaches it within the replica lag
//! (docs/consistency.md).

use chrono::{DateTime, Utc};

use crate::domain::{is_due_to_expire, verdict, License, LicenseCall, Verdict};
use crate::storage::{LifecycleStore, StoreError};

/// The answer of a validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub verdict: Verdict,
    /// The license read; `None` for an unknown key.
    pub license: Option<License>,
}

/// Validates `call` at `now`: one read when the answer is valid or the store has no
/// replicas, two (nearest, then primary) for a refusal read from a copy that may lag.
pub async fn validate<S: LifecycleStore>(
    store: &S,
    call: &LicenseCall,
    now: DateTime<Utc>,
) -> Result<Validation, StoreError> {
    let nearest = store.find_by_key_nearest(&call.key).await?;
    let mut license = nearest.license;
    let mut answer = verdict(license.as_ref(), &call.seat, now);
    if nearest.may_lag && !answer.is_valid() {
        license = store.find_by_key(&call.key).await?;
        answer = verdict(license.as_ref(), &call.seat, now);
    }
    if let Some(license) = license.as_ref().filter(|l| is_due_to_expire(l, now)) {
        // Best effort: the answer is EXPIRED either way, and the scheduled sweep stores what a
        // failed write here missed. A 5xx would cost the Python SDK's users their app.
        let _ = store.expire(license.key.as_str(), now).await;
    }
    Ok(Validation {
        verdict: answer,
        license,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::app::testing::issue;
    use crate::domain::{LicenseStatus, Seat, SeatName};
    use crate::storage::memory::KeyReads;
    use crate::storage::MemoryStore;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap()
    }

    fn call(key: &str) -> LicenseCall {
        let body = format!(r#"{{"key":"{key}","machineId":"m-1"}}"#);
        LicenseCall::parse(body.as_bytes()).unwrap()
    }

    fn run(store: &MemoryStore, key: &str) -> Verdict {
        pollster::block_on(validate(store, &call(key), now()))
            .unwrap()
            .verdict
    }

    fn activate_on_m1(store: &MemoryStore, key: &str) {
        store.edit(key, |l| {
            l.status = LicenseStatus::Active;
            l.seats.push(Seat {
                machine: Some(SeatName::from_stored("m-1".into())),
                instance: None,
                activated_at: now(),
            });
        });
    }

    fn reads(nearest: usize, primary: usize) -> KeyReads {
        KeyReads { nearest, primary }
    }

    #[test]
    fn a_license_a_lagging_replica_vouches_for_is_answered_from_that_one_read() {
        let store = MemoryStore::new();
        let key = issue(&store, now() - TimeDelta::days(1), 12);
        activate_on_m1(&store, &key);
        store.freeze_replica();
        assert_eq!(run(&store, &key), Verdict::Valid);
        assert_eq!(store.key_reads(), reads(1, 0));
    }

    /// The price of one read on the hot path, stated in docs/consistency.md: until the replica
    /// catches up, it still vouches for a license the primary has revoked.
    #[test]
    fn a_revocation_the_replica_has_not_received_yet_is_not_seen() {
        let store = MemoryStore::new();
        let key = issue(&store, now() - TimeDelta::days(1), 12);
        activate_on_m1(&store, &key);
        store.freeze_replica();
        store.edit(&key, |l| l.status = LicenseStatus::Revoked);
        assert_eq!(run(&store, &key), Verdict::Valid);
    }

    type Change = fn(&MemoryStore, &str);

    #[test]
    fn refusals_read_from_a_lagging_replica_are_confirmed_on_the_primary() {
        // (case, the license as the replica has it, what the primary got since).
        let cases: [(&str, Change, Change); 3] = [
            ("activated", |_, _| {}, activate_on_m1),
            (
                "reinstated",
                |store, key| {
                    activate_on_m1(store, key);
                    store.edit(key, |l| l.status = LicenseStatus::Revoked);
                },
                |store, key| store.edit(key, |l| l.status = LicenseStatus::Active),
            ),
            (
                "renewed",
                |store, key| {
                    activate_on_m1(store, key);
                    store.edit(key, |l| l.expires_at = now() - TimeDelta::days(1));
                },
                |store, key| store.edit(key, |l| l.expires_at = now() + TimeDelta::days(30)),
            ),
        ];
        for (case, replica_has, primary_got) in cases {
            let store = MemoryStore::new();
            let key = issue(&store, now() - TimeDelta::days(1), 12);
            replica_has(&store, &key);
            store.freeze_replica();
            primary_got(&store, &key);
            assert_eq!(run(&store, &key), Verdict::Valid, "{case}");
            assert_eq!(store.key_reads(), reads(1, 1), "{case}");
        }
    }

    #[test]
    fn a_license_created_after_the_replica_s_copy_is_found_on_the_primary() {
        let store = MemoryStore::new();
        store.freeze_replica();
        let key = issue(&store, now() - TimeDelta::days(1), 12);
        activate_on_m1(&store, &key);
        assert_eq!(run(&store, &key), Verdict::Valid);
        assert_eq!(store.key_reads(), reads(1, 1));
    }

    #[test]
    fn a_refusal_the_primary_confirms_is_answered() {
        let store = MemoryStore::new();
        let key = issue(&store, now() - TimeDelta::days(1), 12);
        store.freeze_replica();
        assert_eq!(run(&store, &key), Verdict::NotActivated);
        assert_eq!(run(&store, "KB-unknown"), Verdict::NotFound);
        assert_eq!(store.key_reads(), reads(2, 2));
    }

    #[test]
    fn a_store_without_replicas_is_read_once_even_to_refuse() {
        let store = MemoryStore::new();
        let key = issue(&store, now() - TimeDelta::days(1), 12);
        assert_eq!(run(&store, &key), Verdict::NotActivated);
        assert_eq!(store.key_reads(), reads(1, 0));
    }

    #[test]
    fn an_expiry_is_stored_from_the_primary_s_copy_not_the_replica_s() {
        let store = MemoryStore::new();
        let key = issue(&store, now() - TimeDelta::days(1), 12);
        activate_on_m1(&store, &key);
        store.edit(&key, |l| l.expires_at = now() - TimeDelta::days(1));
        store.freeze_replica();
        store.edit(&key, |l| l.expires_at = now() + TimeDelta::days(30)); // renewed
        assert_eq!(run(&store, &key), Verdict::Valid);
        assert_eq!(store.licenses()[0].status, LicenseStatus::Active);
    }
}
