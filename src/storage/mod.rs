//! Where licenses live. Handlers see only [`LicenseStore`]; each backend is one file here and
//! owns its query language (no SQL outside `d1.rs`).

#[cfg(target_arch = "wasm32")]
mod d1;

#[cfg(target_arch = "wasm32")]
pub use d1::D1Store;

use crate::domain::License;

/// A store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A license with this key or id already exists: draw fresh ones and try again.
    Duplicate,
    /// The backend failed. `detail` is for the log only: it never reaches a client.
    Unavailable {
        operation: &'static str,
        detail: String,
    },
}

/// Persistence for licenses, shaped to outlive this first endpoint: every write is atomic
/// (all of a license or none of it) and uniqueness of `key` and `_id` is enforced by the store.
#[allow(async_fn_in_trait)] // Workers run one request per task on one thread: no `Send` bound wanted.
pub trait LicenseStore {
    /// Stores a new license, or reports [`StoreError::Duplicate`] and stores nothing.
    async fn insert(&self, license: &License) -> Result<(), StoreError>;
}
