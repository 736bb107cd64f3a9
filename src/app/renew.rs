//! Renew a license, as its developer: a new expiry by calendar months from the later of now and
//! the current expiry. One compare-and-set write guarded by the status and expiry just read; a
//! concurrent change (a revoke, another renewal, the sweep) makes it not apply, and the renewal
//! is recomputed from a fresh read, a few times.

use chrono::{DateTime, Utc};

use super::AppError;
use crate::domain::{renewed_expiry, Duration, License, UserId};
use crate::storage::LifecycleStore;

/// Rounds against concurrent changes of the same license before giving up (409).
const ATTEMPTS: usize = 3;

/// Renews `owner`'s license `key` by `duration` (the license's own when `None`) at `now`; the
/// license as it now is.
pub async fn renew<S: LifecycleStore>(
    store: &S,
    owner: &UserId,
    key: &str,
    duration: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<License, AppError> {
    for _ in 0..ATTEMPTS {
        let seen = store
            .find_owned(owner, key)
            .await?
            .ok_or(AppError::LicenseNotFound)?;
        let months = duration.unwrap_or(seen.duration).months();
        let until = renewed_expiry(seen.expires_at, now, months);
        if store.renew(owner, key, &seen, until).await? {
            return store
                .find_owned(owner, key)
                .await?
                .ok_or(AppError::LicenseNotFound);
        }
    }
    Err(AppError::IdempotencyInProgress)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::app::testing::{issue, owner, stranger};
    use crate::domain::{format_timestamp, LicenseStatus, Seat};
    use crate::storage::MemoryStore;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).unwrap()
    }

    fn run(
        store: &MemoryStore,
        key: &str,
        months: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<License, AppError> {
        let duration = months.map(|m| Duration::from_months(m).unwrap());
        pollster::block_on(renew(store, &owner(), key, duration, now))
    }

    #[test]
    fn a_live_license_gains_its_own_duration_from_its_current_expiry() {
        let store = MemoryStore::new();
        let key = issue(&store, at(2024, 1, 31), 1);
        let renewed = run(&store, &key, None, at(2024, 2, 1)).unwrap();
        assert_eq!(
            format_timestamp(renewed.expires_at),
            "2024-03-29T10:00:00.000Z"
        );
        assert_eq!(renewed.status, LicenseStatus::Pending);
    }

    #[test]
    fn an_expired_license_restarts_from_now_active_with_seats_pending_without() {
        let store = MemoryStore::new();
        let with_seat = issue(&store, at(2023, 1, 1), 1);
        let without = issue(&store, at(2023, 1, 1), 1);
        for key in [&with_seat, &without] {
            store.edit(key, |l| l.status = LicenseStatus::Expired);
        }
        store.edit(&with_seat, |l| {
            l.seats.push(Seat {
                machine: None,
                instance: None,
                activated_at: at(2023, 1, 2),
            })
        });
        let now = at(2024, 5, 31);
        let active = run(&store, &with_seat, Some(1), now).unwrap();
        assert_eq!(
            (active.status, active.expires_at),
            (LicenseStatus::Active, at(2024, 6, 30))
        );
        let pending = run(&store, &without, Some(1), now).unwrap();
        assert_eq!(pending.status, LicenseStatus::Pending);
    }

    #[test]
    fn a_revoked_license_stays_revoked_with_the_new_expiry() {
        let store = MemoryStore::new();
        let key = issue(&store, at(2024, 1, 1), 12);
        store.edit(&key, |l| l.status = LicenseStatus::Revoked);
        let renewed = run(&store, &key, Some(2), at(2024, 6, 1)).unwrap();
        assert_eq!(
            (renewed.status, renewed.expires_at),
            (LicenseStatus::Revoked, at(2025, 3, 1))
        );
    }

    #[test]
    fn another_developers_license_is_not_found_and_unchanged() {
        let store = MemoryStore::new();
        let key = issue(&store, at(2024, 1, 1), 1);
        let before = store.licenses();
        let outcome = pollster::block_on(renew(&store, &stranger(), &key, None, at(2024, 1, 2)));
        assert_eq!(outcome, Err(AppError::LicenseNotFound));
        assert_eq!(store.licenses(), before);
    }
}
