use crate::domain::EntropyUnavailable;
use crate::storage::{Refusal, StoreError};

/// Why a use case could not do what it was asked. `http/error.rs` maps each to a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// The store failed (refused, timed out, answered garbage).
    Storage(StoreError),
    /// No random bytes for a key or id.
    Entropy,
    /// Every attempt drew a key that already existed (practically impossible: 36^12 keys).
    NoUniqueKey,
    /// The caller's `Idempotency-Key` was first used with a different request.
    IdempotencyMismatch,
    /// Another request with the same `Idempotency-Key` is being created right now.
    IdempotencyInProgress,
    /// No license has this key (or it is another developer's).
    LicenseNotFound,
    /// The license was revoked by its developer.
    LicenseRevoked,
    /// The license has expired.
    LicenseExpired,
    /// Every seat is taken; `another_instance` when this machine holds one under another
    /// instance id.
    SeatsTaken { another_instance: bool },
    /// The license has no seat for this machine and instance.
    SeatNotFound,
    /// An expired license's status cannot be toggled (renew it instead).
    ExpiredStateFrozen,
    /// The caller's ids do not allow it: not theirs, not found, or still in use.
    Refused(Refusal),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(refusal) => Self::Refused(refusal),
            other => Self::Storage(other),
        }
    }
}

impl From<EntropyUnavailable> for AppError {
    fn from(_: EntropyUnavailable) -> Self {
        Self::Entropy
    }
}
