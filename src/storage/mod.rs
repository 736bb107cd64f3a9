//! Where licenses live. The application sees only the [`LicenseStore`] trait; each backend is
//! its own module and owns its query language (no SQL outside `d1`, no Data API request
//! outside `mongo`). `memory` is the in-process store of unit tests and benches.

mod d1;
mod lifecycle;
#[cfg(not(target_arch = "wasm32"))]
pub mod memory;
pub mod mongo;
mod owned;

#[cfg(target_arch = "wasm32")]
pub use d1::D1Store;
pub use lifecycle::{LifecycleStore, NearestRead};
#[cfg(not(target_arch = "wasm32"))]
pub use memory::MemoryStore;
pub use mongo::{DataApi, MongoStore};
pub use owned::{ClientStore, ProjectStore, Refusal, Stores};

use chrono::{DateTime, Utc};

pub use crate::domain::IdempotentLicense;
use crate::domain::{IdempotencyKey, IdempotencyTag, License, UserId};

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
    /// The caller's ids do not allow it (see [`Refusal`]); nothing was written.
    Refused(Refusal),
}

/// For the log: what failed, never a credential (a backend's `detail` holds none).
impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Duplicate => f.write_str("duplicate key"),
            Self::IdempotencyConflict => f.write_str("idempotency key already used"),
            Self::Unavailable { operation, detail } => write!(f, "{operation}: {detail}"),
            Self::Refused(refusal) => write!(f, "refused: {}", refusal.name()),
        }
    }
}

/// Persistence for licenses.
///
/// Every method is one atomic request to the backend (one SQL statement in D1, one Data API
/// action in MongoDB): a failure never leaves half a license behind, and a check and the write
/// it guards are never split into a read followed by a write. The store enforces the
/// uniqueness of a license's `key` and `_id`, and of `(user, idempotency key)`.
///
/// Idempotency records live in the license itself (columns in D1, an `idempotency`
/// subdocument in MongoDB), so a license and the record of the request that made it are
/// written together or not at all. "Not found" is an `Ok(None)`, never an error.
///
/// A license is stored only for a project of its `user` under its `client`; otherwise
/// `insert` refuses it ([`Refusal::ClientNotFound`], [`Refusal::ProjectNotFound`] or
/// [`Refusal::ProjectNotOfClient`], in that order of precedence) and stores nothing.
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
