//! Free a seat so its user can move to another machine: one conditional write; when nothing
//! was freed, one read tells an unknown license from an unknown seat.

use super::AppError;
use crate::domain::{SeatRef, UserId};
use crate::storage::LifecycleStore;

/// Frees `seat` on license `key`; with an `owner`, only on that developer's license (anyone
/// else's answers exactly like a missing one).
pub async fn deactivate<S: LifecycleStore>(
    store: &S,
    key: &str,
    seat: &SeatRef,
    owner: Option<&UserId>,
) -> Result<(), AppError> {
    if store.deactivate(key, seat, owner).await? {
        return Ok(());
    }
    let license = store.find_by_key(key).await?;
    match license {
        Some(license) if owner.is_none_or(|o| *o == license.user) => Err(AppError::SeatNotFound),
        _ => Err(AppError::LicenseNotFound),
    }
}
