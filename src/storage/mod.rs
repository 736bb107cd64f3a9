//! Where licenses live. Handlers see only [`LicenseStore`]; each backend is one file here and
//! owns its query language (no SQL outside `d1.rs`, no Data API request outside `mongo.rs` and
//! the pure `ejson.rs`). `STORAGE` picks the backend when a request starts ([`Store`]).

mod d1;
pub mod mongo;

#[cfg(target_arch = "wasm32")]
pub use d1::D1Store;
#[cfg(target_arch = "wasm32")]
pub use mongo::MongoStore;

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
    /// The backend failed (refused, timed out, answered garbage). `detail` is for the log only:
    /// it never reaches a client, and never holds a credential.
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

/// Persistence for licenses.
///
/// Every operation is a single atomic request to the backend (one SQL statement in D1, one
/// Data API action in MongoDB), so a failure never leaves half a license behind, and the store
/// itself enforces the uniqueness of `key` and `_id` (D1 `UNIQUE`/`PRIMARY KEY`, a unique index
/// on `key` plus MongoDB's `_id` index).
///
/// Idempotency records live in the license itself (columns in D1, an `idempotency`
/// subdocument in MongoDB) under a unique `(user, key)` index, so a license and the record of
/// the request that made it are written together or not at all.
///
/// The trait grows one method per feature, each implemented by both backends. The shapes are
/// chosen now so that both can answer them with one request:
///
/// - **reads by key**: `find_by_key(&LicenseKey) -> Result<Option<License>, StoreError>`
///   (D1 `SELECT … WHERE key = ?`; Mongo `findOne {"key": …}`, decoded from EJSON in `ejson.rs`);
/// - **conditional status changes**, e.g. "activate only if still `PENDING`":
///   `transition(&LicenseKey, from: LicenseStatus, to: LicenseStatus)` returning whether it
///   applied, not found, or the status it found instead (D1 `UPDATE … WHERE key = ? AND
///   status = ? RETURNING status`; Mongo `updateOne` with the filter `{"key", "status"}` and
///   `matchedCount`). The check and the write are one operation, so two racing activations
///   cannot both win;
/// - **lists with filters and cursors**: a `LicenseQuery` (user / project / client / status /
///   expiry window) and an opaque cursor holding the last `(issuedAt, _id)` seen, paged by
///   keyset (`WHERE (issued_at, id) < (?, ?) ORDER BY issued_at DESC, id DESC LIMIT ?` in D1;
///   `find` with the same `$or` filter, `sort` and `limit` in Mongo). D1's indexes
///   (`migrations/`) match those filters.
///
/// Errors stay [`StoreError`]; a "not found" or "status was not `from`" is an `Ok` outcome,
/// not an error, so handlers can map it to 404/409 in `http/error.rs`.
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

/// The backend `STORAGE` selected for this request.
#[cfg(target_arch = "wasm32")]
pub enum Store {
    D1(D1Store),
    Mongo(MongoStore),
}

#[cfg(target_arch = "wasm32")]
impl LicenseStore for Store {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        match self {
            Self::D1(store) => store.insert(license, idempotency).await,
            Self::Mongo(store) => store.insert(license, idempotency).await,
        }
    }

    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError> {
        match self {
            Self::D1(store) => store.find_idempotent(user, key, now).await,
            Self::Mongo(store) => store.find_idempotent(user, key, now).await,
        }
    }

    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        match self {
            Self::D1(store) => store.release_expired_idempotency_key(user, key, now).await,
            Self::Mongo(store) => store.release_expired_idempotency_key(user, key, now).await,
        }
    }
}
