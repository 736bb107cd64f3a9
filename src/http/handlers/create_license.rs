//! `POST /license/create`: validate the body, create (or replay) through the use case.

use crate::app::{create_license, CreateLicense, Created, Deps};
use crate::domain::json_text::Obj;
use crate::domain::{CreateLicenseRequest, Fingerprint, IdempotencyKey, RandomSource, UserId};
use crate::http::{json, ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LicenseStore;

/// After authentication (the router's), in the original server's order: duration, then
/// client & project; then the `Idempotency-Key`.
pub async fn handle<S: LicenseStore, R: RandomSource, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &mut Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let body = request.json_body()?;
    let input = CreateLicenseRequest::parse(body)?;
    let idempotency = match request.headers.idempotency_key.as_deref() {
        None => None,
        Some(key) => Some((
            IdempotencyKey::parse(key).map_err(|_| ApiError::InvalidIdempotencyKey)?,
            Fingerprint::of(user, body),
        )),
    };
    let mut deps = Deps {
        store: cx.store.map_err(ApiError::Config)?,
        ids: cx.ids?,
        random: &mut cx.random,
        now: cx.now,
    };
    let command = CreateLicense {
        user,
        input: &input,
        idempotency,
    };
    let (license, replayed) = match create_license(&mut deps, command).await? {
        Created::New(license) => (license, false),
        Created::Replayed(license) => (license, true),
    };
    let body = Obj::new()
        .str("message", "License created")
        .raw("license", &json::license(&license))
        .end();
    let response = ApiResponse::raw_json(201, body);
    Ok(if replayed {
        response.with_header("idempotent-replayed", "true")
    } else {
        response
    })
}
