//! The developer's views and status changes of one license: `GET /license/:key`,
//! `PATCH /license/revoke/:key` (the original's toggle), `POST /license/:key/revoke` and
//! `POST /license/:key/reinstate`. Scoped to the caller: anyone else's license is not found.

use crate::app::{change_status, AppError, StatusChange};
use crate::domain::json_text::Obj;
use crate::domain::UserId;
use crate::http::{json, ApiError, ApiResponse, Context};
use crate::storage::LifecycleStore;

/// `GET /license/:key` → `{"license": {...}}`.
pub async fn get<S: LifecycleStore, R, K>(
    key: &str,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let store = cx.store.map_err(ApiError::Config)?;
    let license = store
        .find_owned(user, key)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::LicenseNotFound)?;
    let body = Obj::new()
        .raw("license", &json::license_details(&license))
        .end();
    Ok(ApiResponse::raw_json(200, body))
}

/// The status changes: `{"message": "License status changed to X", "key", "status"}`.
pub async fn change<S: LifecycleStore, R, K>(
    key: &str,
    user: &UserId,
    change: StatusChange,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let store = cx.store.map_err(ApiError::Config)?;
    let license = change_status(store, user, key, change, cx.now).await?;
    let status = license.status.as_str();
    let body = Obj::new()
        .str("message", &format!("License status changed to {status}"))
        .str("key", license.key.as_str())
        .str("status", status)
        .end();
    Ok(ApiResponse::raw_json(200, body))
}
