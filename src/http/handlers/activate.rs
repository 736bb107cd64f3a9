//! `POST /validate/activate`: take a seat for the calling machine (idempotent per seat); the
//! answer carries a signed license token when a signing key is configured.

use serde::Serialize;

use super::license_token::token_for;
use crate::app::{activate, Activation};
use crate::domain::{format_timestamp, LicenseCall, RandomSource};
use crate::http::rate_limit::admit;
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

#[derive(Serialize)]
struct Answer<'a> {
    success: bool,
    message: &'static str,
    #[serde(rename = "machineId")]
    machine_id: Option<&'a str>,
    #[serde(rename = "instanceId")]
    instance_id: Option<&'a str>,
    #[serde(rename = "activatedAt")]
    activated_at: String,
    #[serde(rename = "expiresAt")]
    expires_at: String,
    /// When license tokens are configured.
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
    let (message, license, seat) = match activate(store, &call, cx.now).await? {
        Activation::Taken { license, seat } => ("License activated successfully", license, seat),
        Activation::AlreadyActive { license, seat } => ("License already activated", license, seat),
    };
    let token = token_for(request, &license, &call.seat, cx).await?;
    Ok(ApiResponse::json(
        200,
        &Answer {
            success: true,
            message,
            machine_id: seat.machine.as_ref().map(|m| m.as_str()),
            instance_id: seat.instance.as_ref().map(|i| i.as_str()),
            activated_at: format_timestamp(seat.activated_at),
            expires_at: format_timestamp(license.expires_at),
            token,
        },
    ))
}
