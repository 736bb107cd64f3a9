//! Validate a license for a machine: the hot path. One read by key, the verdict computed from
//! it, and a conditional write only when an ACTIVE or PENDING license is found past its expiry.

use chrono::{DateTime, Utc};

use crate::domain::{is_due_to_expire, verdict, License, LicenseCall, Verdict};
use crate::storage::{LifecycleStore, StoreError};

/// The answer of a validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub verdict: Verdict,
    /// The license read; `None` for an unknown key.
    pub license: Option<License>,
}

pub async fn validate<S: LifecycleStore>(
    store: &S,
    call: &LicenseCall,
    now: DateTime<Utc>,
) -> Result<Validation, StoreError> {
    let license = store.find_by_key(&call.key).await?;
    if let Some(license) = license.as_ref().filter(|l| is_due_to_expire(l, now)) {
        // Best effort: the answer is EXPIRED either way, and the scheduled sweep stores what a
        // failed write here missed. A 5xx would cost the Python SDK's users their app.
        let _ = store.expire(license.key.as_str(), now).await;
    }
    Ok(Validation {
        verdict: verdict(license.as_ref(), &call.seat, now),
        license,
    })
}
