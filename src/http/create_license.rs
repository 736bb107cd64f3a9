//! `POST /license/create`: authenticate, validate, issue, store.

use serde::Serialize;

use super::{ApiError, ApiRequest, ApiResponse, App, Body};
use crate::auth::{authenticate, RemoteKeys};
use crate::domain::{
    CreateLicenseRequest, License, LicenseKey, RandomSource, RequestError, UserId,
};
use crate::storage::{LicenseStore, StoreError};

/// Draws of a fresh key (and id) before giving up on a run of collisions.
const MAX_ATTEMPTS: usize = 5;

#[derive(Serialize)]
struct Created<'a> {
    message: &'static str,
    license: &'a License,
}

/// Checks in the original server's order: token, then duration, then client & project.
pub(super) async fn handle<S: LicenseStore, R: RandomSource, K: RemoteKeys>(
    request: &ApiRequest<'_>,
    app: &mut App<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let config = app.config.map_err(ApiError::Config)?;
    let user = authenticate(
        request.authorization,
        &config.verifier,
        app.remote_keys,
        app.now,
    )
    .await?;
    let body = match &request.body {
        Body::Bytes(bytes) => bytes,
        Body::TooLarge => return Err(RequestError::BodyTooLarge.into()),
    };
    let input = CreateLicenseRequest::parse(body)?;
    let license = issue(app, &input, user).await?;
    Ok(ApiResponse::json(
        201,
        &Created {
            message: "License created",
            license: &license,
        },
    ))
}

/// Stores a new license, drawing a new key and id whenever the store reports a duplicate.
async fn issue<S: LicenseStore, R: RandomSource, K>(
    app: &mut App<'_, S, R, K>,
    input: &CreateLicenseRequest,
    user: UserId,
) -> Result<License, ApiError> {
    let seconds = u32::try_from(app.now.timestamp()).unwrap_or(u32::MAX);
    for _ in 0..MAX_ATTEMPTS {
        let key = LicenseKey::generate(&input.project, &mut app.random)?;
        let license = License::issue(input, user.clone(), app.now, app.ids.generate(seconds), key);
        match app.store.insert(&license).await {
            Ok(()) => return Ok(license),
            Err(StoreError::Duplicate) => continue,
            Err(other) => return Err(ApiError::Storage(other)),
        }
    }
    Err(ApiError::NoUniqueKey)
}
