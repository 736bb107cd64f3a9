//! Revoke and reinstate a license (explicitly, or the original's toggle), as its developer:
//! one conditional write each (the expected status and a live expiry in its condition);
//! expired licenses are frozen (renew them instead).

use chrono::{DateTime, Utc};

use super::AppError;
use crate::domain::{has_expired, License, LicenseStatus, UserId};
use crate::storage::LifecycleStore;

/// Which way to move a license's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Revoke,
    Reinstate,
    /// ACTIVE or PENDING → REVOKED, REVOKED → back (the original's `PATCH /license/revoke`).
    Toggle,
}

/// Reads and writes race only with other status changes: a few rounds settle them.
const ATTEMPTS: usize = 3;

/// Applies `change` to `owner`'s license `key` at `now`; the license as it now is. Asking for
/// the status a license already has changes nothing (idempotent).
pub async fn change_status<S: LifecycleStore>(
    store: &S,
    owner: &UserId,
    key: &str,
    change: StatusChange,
    now: DateTime<Utc>,
) -> Result<License, AppError> {
    for _ in 0..ATTEMPTS {
        let license = store
            .find_owned(owner, key)
            .await?
            .ok_or(AppError::LicenseNotFound)?;
        if has_expired(&license, now) {
            return Err(AppError::ExpiredStateFrozen);
        }
        let revoked = license.status == LicenseStatus::Revoked;
        let revoke = match change {
            StatusChange::Revoke => true,
            StatusChange::Reinstate => false,
            StatusChange::Toggle => !revoked,
        };
        if revoke == revoked {
            return Ok(license);
        }
        let applied = if revoke {
            store.revoke(owner, key, now).await?
        } else {
            store.reinstate(owner, key, now).await?
        };
        if applied {
            return store
                .find_owned(owner, key)
                .await?
                .ok_or(AppError::LicenseNotFound);
        }
    }
    Err(AppError::IdempotencyInProgress)
}
