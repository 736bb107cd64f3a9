//! Where licenses live. Handlers see only [`LicenseStore`]; each backend is one file here and
//! owns its query language (no SQL outside `d1.rs`).

#[cfg(target_arch = "wasm32")]
mod d1;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // used by d1.rs; tested natively
mod d1_row;

#[cfg(target_arch = "wasm32")]
pub use d1::D1Store;

use chrono::{DateTime, Utc};

use crate::domain::{Fingerprint, IdempotencyKey, IdempotencyTag, License, UserId};

/// A store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A license with this key or id already exists: draw fresh ones and try again.
    Duplicate,
    /// The caller already has a license under this idempotency key (a concurrent or
    /// expired twin): look it up instead.
    IdempotencyConflict,
    /// The backend failed. `detail` is for the log only: it never reaches a client.
    Unavailable {
        operation: &'static str,
        detail: String,
    },
}

/// A license created under an idempotency key, with the fingerprint of that request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentLicense {
    pub license: License,
    pub fingerprint: Fingerprint,
}

/// Persistence for licenses, shaped to outlive this first endpoint: every write is atomic
/// (all of a license or none of it), uniqueness of `key`, `_id` and a caller's idempotency
/// key is enforced by the store, and the idempotency record lives in the license itself, so
/// a license and the record of the request that made it are written together or not at all.
#[allow(async_fn_in_trait)] // Workers run one request per task on one thread: no `Send` bound wanted.
pub trait LicenseStore {
    /// Stores a new license (tagged with `idempotency` when given), or reports
    /// [`StoreError::Duplicate`] / [`StoreError::IdempotencyConflict`] and stores nothing.
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError>;

    /// The license `user` created under `key`, if that key has not expired at `now`.
    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError>;

    /// Forgets `user`'s `key` if it expired before `now`, so the key can be used again.
    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
