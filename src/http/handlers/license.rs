//! The developer's views and status changes of one license: `GET /license/:key`,
//! `PATCH /license/revoke/:key` (the original's toggle), `POST /license/:key/revoke` and
//! `POST /license/:key/reinstate`. Scoped to the caller: anyone else's license is not found.

use serde::Serialize;

use crate::app::{change_status, AppError, StatusChange};
use crate::domain::{
    format_timestamp, Duration, License, LicenseStatus, MaxMachines, ObjectId, Seat, Services,
    UserId,
};
use crate::http::{ApiError, ApiResponse, Context};
use crate::storage::LifecycleStore;

/// A license as its developer sees it: the contract's fields, then `maxMachines` and `seats`.
#[derive(Serialize)]
pub struct LicenseDetails<'a> {
    key: &'a str,
    duration: Duration,
    #[serde(rename = "issuedAt")]
    issued_at: String,
    #[serde(rename = "expiresAt")]
    expires_at: String,
    status: LicenseStatus,
    services: &'a Services,
    user: &'a UserId,
    client: &'a ObjectId,
    project: &'a ObjectId,
    #[serde(rename = "_id")]
    id: &'a ObjectId,
    #[serde(rename = "maxMachines")]
    max_machines: MaxMachines,
    seats: &'a [Seat],
}

impl<'a> LicenseDetails<'a> {
    pub fn of(license: &'a License) -> Self {
        Self {
            key: license.key.as_str(),
            duration: license.duration,
            issued_at: format_timestamp(license.issued_at),
            expires_at: format_timestamp(license.expires_at),
            status: license.status,
            services: &license.services,
            user: &license.user,
            client: &license.client,
            project: &license.project,
            id: &license.id,
            max_machines: license.max_machines,
            seats: &license.seats,
        }
    }
}

/// `GET /license/:key` → `{"license": {...}}`.
pub async fn get<S: LifecycleStore, R, K>(
    key: &str,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    #[derive(Serialize)]
    struct Answer<'a> {
        license: LicenseDetails<'a>,
    }
    let store = cx.store.map_err(ApiError::Config)?;
    let license = store
        .find_owned(user, key)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::LicenseNotFound)?;
    Ok(ApiResponse::json(
        200,
        &Answer {
            license: LicenseDetails::of(&license),
        },
    ))
}

/// The status changes: `{"message": "License status changed to X", "key", "status"}`.
pub async fn change<S: LifecycleStore, R, K>(
    key: &str,
    user: &UserId,
    change: StatusChange,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    #[derive(Serialize)]
    struct Answer<'a> {
        message: String,
        key: &'a str,
        status: LicenseStatus,
    }
    let store = cx.store.map_err(ApiError::Config)?;
    let license = change_status(store, user, key, change, cx.now).await?;
    Ok(ApiResponse::json(
        200,
        &Answer {
            message: format!("License status changed to {}", license.status.as_str()),
            key: license.key.as_str(),
            status: license.status,
        },
    ))
}
