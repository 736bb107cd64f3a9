//! `POST /validate`: always 200 with a verdict (400 only for a bad body, the original's 500
//! `{valid: null}` when the store fails). No token, one read.

use serde::Serialize;

use crate::app::validate;
use crate::domain::{format_timestamp, LicenseCall};
use crate::http::rate_limit::admit;
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

#[derive(Serialize)]
struct Answer {
    valid: bool,
    status: &'static str,
    code: &'static str,
    message: &'static str,
    #[serde(rename = "expiresAt")]
    expires_at: Option<String>,
}

pub async fn handle<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let call = LicenseCall::parse(request.json_body()?)?;
    admit(cx.limiter, request.headers.client_ip.as_deref(), &call.key).await?;
    let store = cx.store.map_err(ApiError::Config)?;
    let validation = validate(store, &call, cx.now)
        .await
        .map_err(ApiError::ValidationUnavailable)?;
    let verdict = validation.verdict;
    Ok(ApiResponse::json(
        200,
        &Answer {
            valid: verdict.is_valid(),
            status: verdict.status(),
            code: verdict.code(),
            message: verdict.message(),
            expires_at: validation.expires_at.map(format_timestamp),
        },
    ))
}
