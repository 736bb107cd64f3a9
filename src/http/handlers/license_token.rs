//! The signed license token that valid validate and activate answers carry (see `tokens`).

use crate::domain::{License, RandomSource, SeatRef};
use crate::http::{ApiError, ApiRequest, Context};
use crate::tokens::Seat;

/// A token for `license` and the seat the request named, when a signing key is configured.
/// A deployment whose settings are broken answers without one: licensed software keeps
/// validating online while the developer routes report the misconfiguration.
pub fn token_for<S, R: RandomSource, K>(
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
    let token = tokens.issue(license, seat, cx.now, &request.url_origin, &mut cx.random)?;
    Ok(Some(token))
}
