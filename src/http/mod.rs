//! HTTP without `worker::` types: a request in, a response out. `adapter` (wasm only) is the
//! one place that converts to and from the Workers runtime.

#[cfg(target_arch = "wasm32")]
pub mod adapter;
pub mod cors;
mod create_license;
mod error;
#[cfg(target_arch = "wasm32")]
pub mod jwks_fetch;
mod response;

pub use cors::{CorsPolicy, CorsRequest};
pub use error::ApiError;
pub use response::ApiResponse;

use chrono::{DateTime, Utc};

use crate::auth::RemoteKeys;
use crate::config::{Config, ConfigError};
use crate::domain::{ObjectIdGenerator, RandomSource};
use crate::storage::LicenseStore;

/// A request body as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Bytes(Vec<u8>),
    /// Longer than [`crate::domain::MAX_BODY_BYTES`]; reading stopped there.
    TooLarge,
}

/// The parts of an HTTP request the API looks at.
#[derive(Debug, Clone)]
pub struct ApiRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub authorization: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub cors: CorsRequest<'a>,
    pub body: Body,
}

/// What a request is served with: configuration, storage, the clock and id generation.
pub struct App<'a, S, R, K> {
    pub config: Result<&'a Config, ConfigError>,
    /// Read apart from `config` so that CORS answers even when the rest is misconfigured.
    pub cors: &'a CorsPolicy,
    /// The JWKS keys (used only when `JWT_JWKS_URL` is set).
    pub remote_keys: &'a K,
    pub store: &'a S,
    pub ids: &'a ObjectIdGenerator,
    pub now: DateTime<Utc>,
    pub random: R,
}

/// Routes a request and turns every outcome, success or error, into a response.
pub async fn handle<S: LicenseStore, R: RandomSource, K: RemoteKeys>(
    request: ApiRequest<'_>,
    app: &mut App<'_, S, R, K>,
) -> ApiResponse {
    let path = request
        .path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(request.path);
    let outcome = match (path, request.method) {
        ("/license/create", "POST") => create_license::handle(&request, app).await,
        ("/license/create", "OPTIONS") => return app.cors.preflight(&request.cors),
        ("/license/create", _) => Err(ApiError::MethodNotAllowed {
            allow: "POST, OPTIONS",
        }),
        _ => Err(ApiError::NotFound),
    };
    let response = outcome.unwrap_or_else(ApiError::into_response);
    app.cors.decorate(request.cors.origin, response)
}

#[cfg(test)]
mod tests;
