//! `POST /validate/activate`: take a seat for the calling machine (idempotent per seat); the
//! answer carries a signed license token when a signing key is configured.

use super::license_token::token_for;
use crate::app::{activate, Activation};
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
    let (message, license, seat) = match activate(store, &call, cx.now).await? {
        Activation::Taken { license, seat } => ("License activated successfully", license, seat),
        Activation::AlreadyActive { license, seat } => ("License already activated", license, seat),
    };
    let token = token_for(request, &license, &call.seat, cx).await?;
    let mut answer = Obj::new();
    answer
        .bool("success", true)
        .str("message", message)
        .opt_str("machineId", seat.machine.as_ref().map(|m| m.as_str()))
        .opt_str("instanceId", seat.instance.as_ref().map(|i| i.as_str()))
        .str("activatedAt", &format_timestamp(seat.activated_at))
        .str("expiresAt", &format_timestamp(license.expires_at));
    // When license tokens are configured.
    if let Some(token) = token {
        answer.str("token", &token);
    }
    Ok(ApiResponse::raw_json(200, answer.end()))
}
