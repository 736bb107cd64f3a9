//! `POST /validate/deactivate` (licensed software) and `POST /license/:key/deactivate` (its
//! developer): free a seat so the user can move to another machine.

use crate::app::deactivate;
use crate::domain::{parse_seat, LicenseCall, UserId};
use crate::http::rate_limit::admit;
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

fn freed() -> ApiResponse {
    ApiResponse::raw_json(200, r#"{"success":true,"message":"License deactivated"}"#)
}

/// The public call: `{key, machineId?, instanceId?}`.
pub async fn handle<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let call = LicenseCall::parse(request.json_body()?)?;
    admit(cx.limiter, request.headers.client_ip.as_deref(), &call.key).await?;
    let store = cx.store.map_err(ApiError::Config)?;
    deactivate(store, &call.key, &call.seat, None).await?;
    Ok(freed())
}

/// The developer's call on their own license: `{machineId?, instanceId?}`.
pub async fn handle_owned<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    key: &str,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let seat = parse_seat(request.json_body()?)?;
    let store = cx.store.map_err(ApiError::Config)?;
    deactivate(store, key, &seat, Some(user)).await?;
    Ok(freed())
}
