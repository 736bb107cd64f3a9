//! `POST /license/create`: authenticate, validate, issue, store; replay under `Idempotency-Key`.

use serde::Serialize;

use super::{ApiError, ApiRequest, ApiResponse, App, Body};
use crate::auth::{authenticate, RemoteKeys};
use crate::domain::{
    CreateLicenseRequest, Fingerprint, IdempotencyKey, IdempotencyTag, License, LicenseKey,
    RandomSource, RequestError, UserId,
};
use crate::storage::{LicenseStore, StoreError};

/// Draws of a fresh key (and id) before giving up on a run of collisions.
const MAX_ATTEMPTS: usize = 5;

#[derive(Serialize)]
struct Created<'a> {
    message: &'static str,
    license: &'a License,
}

fn created(license: &License) -> ApiResponse {
    ApiResponse::json(
        201,
        &Created {
            message: "License created",
            license,
        },
    )
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
    if !is_json(request.content_type) {
        return Err(RequestError::UnsupportedMediaType.into());
    }
    let input = CreateLicenseRequest::parse(body)?;
    let Some(key) = request.idempotency_key else {
        return Ok(created(&issue(app, &input, &user, None).await?));
    };
    let key = IdempotencyKey::parse(key).map_err(|_| ApiError::InvalidIdempotencyKey)?;
    let tag = IdempotencyTag::new(key, Fingerprint::of(&user, body), app.now);
    if let Some(earlier) = replay(app, &user, &tag).await? {
        return Ok(earlier);
    }
    match issue(app, &input, &user, Some(&tag)).await {
        Err(ApiError::Storage(StoreError::IdempotencyConflict)) => {}
        outcome => return outcome.map(|license| created(&license)),
    }
    // Another request with this key won a race (replay its license), or the key's earlier
    // use expired (forget it and create anew, once).
    if let Some(earlier) = replay(app, &user, &tag).await? {
        return Ok(earlier);
    }
    app.store
        .release_expired_idempotency_key(&user, &tag.key, app.now)
        .await
        .map_err(ApiError::Storage)?;
    match issue(app, &input, &user, Some(&tag)).await {
        Err(ApiError::Storage(StoreError::IdempotencyConflict)) => {
            Err(ApiError::IdempotencyInProgress)
        }
        outcome => outcome.map(|license| created(&license)),
    }
}

/// The answer the first request under `tag.key` got, if there was one and it is still live.
async fn replay<S: LicenseStore, R: RandomSource, K>(
    app: &App<'_, S, R, K>,
    user: &UserId,
    tag: &IdempotencyTag,
) -> Result<Option<ApiResponse>, ApiError> {
    let Some(earlier) = app
        .store
        .find_idempotent(user, &tag.key, app.now)
        .await
        .map_err(ApiError::Storage)?
    else {
        return Ok(None);
    };
    if earlier.fingerprint != tag.fingerprint {
        return Err(ApiError::IdempotencyMismatch);
    }
    Ok(Some(
        created(&earlier.license).with_header("idempotent-replayed", "true"),
    ))
}

/// Stores a new license, drawing a new key and id whenever the store reports a duplicate.
async fn issue<S: LicenseStore, R: RandomSource, K>(
    app: &mut App<'_, S, R, K>,
    input: &CreateLicenseRequest,
    user: &UserId,
    idempotency: Option<&IdempotencyTag>,
) -> Result<License, ApiError> {
    let seconds = u32::try_from(app.now.timestamp()).unwrap_or(u32::MAX);
    for _ in 0..MAX_ATTEMPTS {
        let key = LicenseKey::generate(&input.project, &mut app.random)?;
        let license = License::issue(input, user.clone(), app.now, app.ids.generate(seconds), key);
        match app.store.insert(&license, idempotency).await {
            Ok(()) => return Ok(license),
            Err(StoreError::Duplicate) => continue,
            Err(other) => return Err(ApiError::Storage(other)),
        }
    }
    Err(ApiError::NoUniqueKey)
}

/// `application/json`, any `application/*+json`, or no Content-Type at all (parsed as JSON,
/// as clients that omit it expect). Anything else, form encoding included, is refused.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(value) = content_type.map(str::trim).filter(|v| !v.is_empty()) else {
        return true;
    };
    let media_type = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_media_types_and_a_missing_header_are_accepted() {
        for value in [
            None,
            Some(""),
            Some("application/json"),
            Some("Application/JSON; charset=utf-8"),
            Some("application/merge-patch+json"),
        ] {
            assert!(is_json(value), "{value:?}");
        }
    }

    #[test]
    fn other_media_types_are_refused() {
        for value in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
            "text/json+xml",
            "json",
        ] {
            assert!(!is_json(Some(value)), "{value}");
        }
    }
}
