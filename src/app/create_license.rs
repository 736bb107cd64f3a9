//! Create a license: draw a key, store it, retry on a collision; under an idempotency key,
//! replay the first answer, lose a race gracefully, and reuse an expired key.

use super::{AppError, Deps};
use crate::domain::{
    CreateLicenseRequest, Fingerprint, IdempotencyKey, IdempotencyTag, License, LicenseKey,
    RandomSource, UserId,
};
use crate::storage::{LicenseStore, StoreError};

/// Draws of a fresh key (and id) before giving up on a run of collisions.
pub const MAX_ATTEMPTS: usize = 5;

/// A create request, parsed and authenticated.
pub struct CreateLicense<'a> {
    pub user: &'a UserId,
    pub input: &'a CreateLicenseRequest,
    /// The caller's `Idempotency-Key` and the fingerprint of the request it came with.
    pub idempotency: Option<(IdempotencyKey, Fingerprint)>,
}

/// What a create did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A new license was stored.
    New(License),
    /// The idempotency key was used before with the same request: its license, unchanged.
    Replayed(License),
}

pub async fn create_license<S: LicenseStore, R: RandomSource>(
    deps: &mut Deps<'_, S, R>,
    request: CreateLicense<'_>,
) -> Result<Created, AppError> {
    let Some((key, fingerprint)) = request.idempotency else {
        return issue(deps, request.input, request.user, None)
            .await
            .map(Created::New);
    };
    let tag = IdempotencyTag::new(key, fingerprint, deps.now);
    if let Some(earlier) = replay(deps, request.user, &tag).await? {
        return Ok(earlier);
    }
    match issue(deps, request.input, request.user, Some(&tag)).await {
        Err(AppError::Storage(StoreError::IdempotencyConflict)) => {}
        outcome => return outcome.map(Created::New),
    }
    // Another request with this key won a race (replay its license), or the key's earlier
    // use expired (forget it and create anew, once).
    if let Some(earlier) = replay(deps, request.user, &tag).await? {
        return Ok(earlier);
    }
    deps.store
        .release_expired_idempotency_key(request.user, &tag.key, deps.now)
        .await?;
    match issue(deps, request.input, request.user, Some(&tag)).await {
        Err(AppError::Storage(StoreError::IdempotencyConflict)) => {
            Err(AppError::IdempotencyInProgress)
        }
        outcome => outcome.map(Created::New),
    }
}

/// The license the first request under `tag.key` created, if it is still live.
async fn replay<S: LicenseStore, R>(
    deps: &Deps<'_, S, R>,
    user: &UserId,
    tag: &IdempotencyTag,
) -> Result<Option<Created>, AppError> {
    let Some(earlier) = deps.store.find_idempotent(user, &tag.key, deps.now).await? else {
        return Ok(None);
    };
    if earlier.fingerprint != tag.fingerprint {
        return Err(AppError::IdempotencyMismatch);
    }
    Ok(Some(Created::Replayed(earlier.license)))
}

/// Stores a new license, drawing a new key and id whenever the store reports a duplicate.
async fn issue<S: LicenseStore, R: RandomSource>(
    deps: &mut Deps<'_, S, R>,
    input: &CreateLicenseRequest,
    user: &UserId,
    idempotency: Option<&IdempotencyTag>,
) -> Result<License, AppError> {
    let seconds = u32::try_from(deps.now.timestamp()).unwrap_or(u32::MAX);
    for _ in 0..MAX_ATTEMPTS {
        let key = LicenseKey::generate(&input.project, &mut deps.random)?;
        let id = deps.ids.generate(seconds);
        let license = License::issue(input, user.clone(), deps.now, id, key);
        match deps.store.insert(&license, idempotency).await {
            Ok(()) => return Ok(license),
            Err(StoreError::Duplicate) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::NoUniqueKey)
}
