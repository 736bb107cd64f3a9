//! Activate a license on a machine: take a seat in one conditional write; when it does not
//! apply, explain why from one read (idempotent success, revoked, expired, seats full).

use chrono::{DateTime, Utc};

use super::AppError;
use crate::domain::{check_activation, ActivationCheck, License, LicenseCall, Seat};
use crate::storage::LifecycleStore;

/// Conditional writes tried before giving up when reads keep showing a free seat that the
/// writes then miss (seats freed and retaken in between: practically never more than once).
const ATTEMPTS: usize = 3;

/// What an activation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// The seat was taken now.
    Taken { license: License, seat: Seat },
    /// The seat was already this caller's: nothing changed.
    AlreadyActive { license: License, seat: Seat },
}

/// Takes the seat `call` names on its license at `now`.
pub async fn activate<S: LifecycleStore>(
    store: &S,
    call: &LicenseCall,
    now: DateTime<Utc>,
) -> Result<Activation, AppError> {
    // Stored and shown to the millisecond, like every other timestamp.
    let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
    let mut full = AppError::SeatsTaken {
        another_instance: false,
    };
    for _ in 0..ATTEMPTS {
        if let Some(license) = store.activate(&call.key, &call.seat, now).await? {
            let seat = license.seats.iter().find(|s| s.is(&call.seat)).cloned();
            let seat = seat.unwrap_or(Seat {
                machine: call.seat.machine.clone(),
                instance: call.seat.instance.clone(),
                activated_at: now,
            });
            return Ok(Activation::Taken { license, seat });
        }
        let license = store.find_by_key(&call.key).await?;
        match check_activation(license.as_ref(), &call.seat, now) {
            ActivationCheck::NotFound => return Err(AppError::LicenseNotFound),
            ActivationCheck::Revoked => return Err(AppError::LicenseRevoked),
            ActivationCheck::Expired => {
                // Best effort: the answer is right either way, and the sweep catches up.
                let _ = store.expire(&call.key, now).await;
                return Err(AppError::LicenseExpired);
            }
            ActivationCheck::AlreadyActive(seat) => {
                let license = license.ok_or(AppError::LicenseNotFound)?;
                return Ok(Activation::AlreadyActive { license, seat });
            }
            ActivationCheck::Full { same_machine } => {
                full = AppError::SeatsTaken {
                    another_instance: same_machine,
                };
                return Err(full);
            }
            ActivationCheck::Retry => continue,
        }
    }
    Err(full)
}
