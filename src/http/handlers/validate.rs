//! `POST /validate`: always 200 with a verdict (400 only for a bad body, the original's 500
//! `{valid: null}` when the store fails). No bearer token, one read; a valid license gets a
//! signed license token when a signing key is configured.

use serde::Serialize;

use super::license_token::token_for;
use crate::app::validate;
use crate::domain::{format_timestamp, LicenseCall, RandomSource};
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
    /// Only on a valid answer, when license tokens are configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

pub async fn handle<S: LifecycleStore, R: RandomSource, K>(
    request: &ApiRequest,
    cx: &mut Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let call = LicenseCall::parse(request.json_body()?)?;
    admit(cx.limiter, request.headers.client_ip.as_deref(), &call.key).await?;
    let store = cx.store.map_err(ApiError::Config)?;
    let validation = validate(store, &call, cx.now)
        .await
        .map_err(ApiError::ValidationUnavailable)?;
    let verdict = validation.verdict;
    let token = match (&validation.license, verdict.is_valid()) {
        (Some(license), true) => token_for(request, license, &call.seat, cx).await?,
        _ => None,
    };
    Ok(ApiResponse::json(
        200,
        &Answer {
            valid: verdict.is_valid(),
            status: verdict.status(),
            code: verdict.code(),
            message: verdict.message(),
            expires_at: validation.license.map(|l| format_timestamp(l.expires_at)),
            token,
        },
    ))
}
