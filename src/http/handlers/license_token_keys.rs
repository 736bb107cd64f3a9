//! `GET /.well-known/jwks.json`: the public keys license tokens are signed with, for offline
//! verification. Public data: open to any origin and cacheable. 404 when no
//! `LICENSE_SIGNING_KEY` is configured (then no token is issued either).

use crate::http::{ApiError, ApiResponse, Context};

/// How long clients and caches may keep the key set. A rotation publishes the new key (second
/// in the set) at least this long before it starts signing (first in the set).
pub const JWKS_MAX_AGE_SECONDS: u32 = 600;

pub fn handle<S, R, K>(cx: &Context<'_, S, R, K>) -> Result<ApiResponse, ApiError> {
    let config = cx.config.map_err(ApiError::Config)?;
    let tokens = config.tokens.as_ref().ok_or(ApiError::NotFound)?;
    Ok(ApiResponse {
        status: 200,
        headers: vec![(
            "cache-control",
            format!("public, max-age={JWKS_MAX_AGE_SECONDS}"),
        )],
        body: tokens.jwks.clone(),
        log: None,
    })
}
