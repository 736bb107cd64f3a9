//! The expiry sweep, run by the Cron Trigger: ACTIVE and PENDING licenses past their expiry
//! are stored as EXPIRED, so lists and the developer's views are right even for keys nobody
//! validates. Bounded: at most `max_batches` conditional writes of at most `batch` licenses per
//! run (a Worker invocation has a limited number of subrequests); what is left waits for the
//! next run.

use chrono::{DateTime, Utc};

use crate::storage::{LifecycleStore, StoreError};

/// Licenses marked per write.
pub const SWEEP_BATCH: u32 = 100;
/// Writes per run.
pub const SWEEP_MAX_BATCHES: u32 = 10;

/// What a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    /// Licenses stored as EXPIRED.
    pub expired: u32,
    /// Whether the last batch came back short (nothing due is known to be left).
    pub complete: bool,
}

/// Expires what is due at `now`, `batch` at a time, for at most `max_batches` batches.
pub async fn sweep_expired<S: LifecycleStore>(
    store: &S,
    now: DateTime<Utc>,
    batch: u32,
    max_batches: u32,
) -> Result<Sweep, StoreError> {
    let mut expired = 0;
    for _ in 0..max_batches {
        let marked = store.expire_due(now, batch).await?;
        expired += marked;
        if marked < batch {
            return Ok(Sweep {
                expired,
                complete: true,
            });
        }
    }
    Ok(Sweep {
        expired,
        complete: false,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::app::testing::issue;
    use crate::domain::LicenseStatus;
    use crate::storage::MemoryStore;

    fn at(y: i32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).unwrap()
    }

    fn statuses(store: &MemoryStore) -> Vec<LicenseStatus> {
        store.licenses().iter().map(|l| l.status).collect()
    }

    #[test]
    fn due_active_and_pending_licenses_expire_and_the_rest_are_untouched() {
        use LicenseStatus::*;
        let store = MemoryStore::new();
        let keys: Vec<String> = (0..5).map(|_| issue(&store, at(2023, 1), 1)).collect();
        issue(&store, at(2024, 6), 12); // not due
        store.edit(&keys[1], |l| l.status = Active);
        store.edit(&keys[2], |l| l.status = Revoked);
        store.edit(&keys[3], |l| l.status = Expired);
        let sweep = pollster::block_on(sweep_expired(&store, at(2024, 7), 100, 10)).unwrap();
        assert_eq!(
            sweep,
            Sweep {
                expired: 3,
                complete: true
            }
        );
        assert_eq!(
            statuses(&store),
            [Expired, Expired, Revoked, Expired, Expired, Pending]
        );
    }

    #[test]
    fn a_run_is_bounded_and_the_next_one_finishes() {
        let store = MemoryStore::new();
        for _ in 0..7 {
            issue(&store, at(2023, 1), 1);
        }
        let first = pollster::block_on(sweep_expired(&store, at(2024, 7), 2, 3)).unwrap();
        assert_eq!(
            first,
            Sweep {
                expired: 6,
                complete: false
            }
        );
        let second = pollster::block_on(sweep_expired(&store, at(2024, 7), 2, 3)).unwrap();
        assert_eq!(
            second,
            Sweep {
                expired: 1,
                complete: true
            }
        );
    }
}
