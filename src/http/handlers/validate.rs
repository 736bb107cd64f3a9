//! `POST /validate`: always 200 with a verdict (400 only for a bad body, the original's 500
//! `{valid: null}` when the store fails). No bearer token, one read; a valid license gets a
//! signed license token when a signing key is configured.

use super::license_token::token_for;
use crate::app::validate;
use crate::domain::json_text::Obj;
use crate::domain::{format_timestamp, LicenseCall, RandomSource};
use crate::http::rate_limit::admit;
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

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
    let expires_at = validation.license.map(|l| format_timestamp(l.expires_at));
    let mut answer = Obj::new();
    answer
        .bool("valid", verdict.is_valid())
        .str("status", verdict.status())
        .str("code", verdict.code())
        .str("message", verdict.message())
        .opt_str("expiresAt", expires_at.as_deref());
    // Only on a valid answer, when license tokens are configured.
    if let Some(token) = token {
        answer.str("token", &token);
    }
    Ok(ApiResponse::raw_json(200, answer.end()))
}
