//! The license lifecycle's store operations: seats taken and freed, statuses changed, licenses
//! read by key. Each change is one conditional write (one SQL statement in D1, one `updateOne`
//! in MongoDB) whose condition carries the decision, so concurrent calls can never take more
//! seats than a license has or revive a license they should not; when a write does not apply,
//! the use case reads once to say why.

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{License, LicenseFilter, PageRequest, SeatRef, UserId};

/// Persistence for the lifecycle calls. "Not found" is `Ok(None)` / `Ok(false)`.
#[allow(async_fn_in_trait)] // one request per task on one thread: no `Send` bound wanted
pub trait LifecycleStore {
    /// The license stored under `key`, whoever owns it (the public calls: one read).
    async fn find_by_key(&self, key: &str) -> Result<Option<License>, StoreError>;

    /// Takes `seat` on license `key` at `now` and makes it ACTIVE, in one conditional write
    /// that applies only if the license is PENDING or ACTIVE, not past its expiry, has a free
    /// seat, and `seat` is not already taken. The license as written, or `None` when the
    /// condition did not hold (nothing changed).
    async fn activate(
        &self,
        key: &str,
        seat: &SeatRef,
        now: DateTime<Utc>,
    ) -> Result<Option<License>, StoreError>;

    /// Frees `seat` of license `key` (only `owner`'s license when given): whether it was taken.
    async fn deactivate(
        &self,
        key: &str,
        seat: &SeatRef,
        owner: Option<&UserId>,
    ) -> Result<bool, StoreError>;

    /// Stores license `key` as EXPIRED if it is PENDING or ACTIVE and past its expiry at `now`.
    async fn expire(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// `owner`'s license `key` (another developer's is `None`, like a missing one).
    async fn find_owned(&self, owner: &UserId, key: &str) -> Result<Option<License>, StoreError>;

    /// `owner`'s license `key` becomes REVOKED if it is PENDING or ACTIVE and not past its
    /// expiry at `now`: whether it did.
    async fn revoke(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// `owner`'s REVOKED license `key`, not past its expiry at `now`, returns to ACTIVE if it
    /// holds seats, else to PENDING (never ACTIVE without a machine): whether it did.
    async fn reinstate(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Renews `owner`'s license `key` to expire at `until`, if it still has the status and
    /// expiry of `seen` (compare-and-set: a concurrent change makes it not apply). An EXPIRED
    /// license becomes ACTIVE if it holds seats, else PENDING, decided in the same write; any
    /// other status is kept. Whether it applied.
    async fn renew(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// `owner`'s licenses matching `filter`, newest first by `(issuedAt, _id)`, strictly older
    /// than `page.after` when given: at most [`PageRequest::fetch`] of them (one more than the
    /// page, so the caller knows whether another page follows).
    async fn list(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError>;

    /// Stores up to `batch` ACTIVE or PENDING licenses past their expiry at `now` (anyone's:
    /// the scheduler's sweep) as EXPIRED, in one conditional write that never overwrites a
    /// concurrent change: how many it marked.
    async fn expire_due(&self, now: DateTime<Utc>, batch: u32) -> Result<u32, StoreError>;

    /// The license stored under `key`, read from the nearest copy of the store: validate's
    /// read, which scales past one region only if it need not travel to the primary. A copy
    /// may lag the primary's latest writes (D1 read replication: see docs/consistency.md);
    /// [`NearestRead::may_lag`] says so, and the caller confirms on the primary
    /// ([`Self::find_by_key`]) whatever a lagging copy must not decide alone. Backends without
    /// replicas read the primary: the default.
    async fn find_by_key_nearest(&self, key: &str) -> Result<NearestRead, StoreError> {
        Ok(NearestRead {
            license: self.find_by_key(key).await?,
            may_lag: false,
        })
    }
}

/// What [`LifecycleStore::find_by_key_nearest`] read, and whether it may be out of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearestRead {
    /// The license as the copy that answered holds it (`None`: no such key there).
    pub license: Option<License>,
    /// Whether that copy may miss writes the primary already acknowledged: true for a D1 read
    /// replica (or when D1 does not say which copy answered), false for the primary.
    pub may_lag: bool,
}
