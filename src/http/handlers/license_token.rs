//! The signed license token that valid validate and activate answers carry (see `tokens`).

use crate::domain::{License, RandomSource, SeatRef};
use crate::http::{ApiError, ApiRequest, Context};
use crate::tokens::Seat;

/// A token for `license` and the seat the request named, when a signing key is configured.
/// A deployment whose settings are broken, or whose runtime refuses to sign, answers without one: licensed software keeps
/// validating online while the developer routes report the misconfiguration.
pub async fn token_for<S, R: RandomSource, K>(
    request: &ApiRequest,
    license: &License,
    seat: &SeatRef,
    cx: &mut Context<'_, S, R, K>,
) -> Result<Option<String>, ApiError> {
    let Ok(Some(tokens)) = cx.config.map(|c| c.tokens.as_ref()) else {
        return Ok(None);
    };
    let seat = Seat {
        machine_id: seat.machine_str(),
        instance_id: seat.instance_str(),
    };
    Ok(tokens
        .issue(license, seat, cx.now, &request.url_origin, &mut cx.random)
        .await?)
}
