//! HTTP without `worker::` types: an [`ApiRequest`] in, an [`ApiResponse`] out. `routes` is the
//! table every route is declared in (and where 404, 405, preflights and CORS come from);
//! `handlers` holds one file per endpoint (parse → use case → answer); `error` is the one
//! place where failures become statuses.

pub mod cors;
mod error;
mod handlers;
mod json;
pub mod rate_limit;
mod request;
mod response;
pub mod routes;
pub mod wire;

pub use cors::{CorsPolicy, CorsRequest, CorsScope};
pub use error::ApiError;
pub use rate_limit::{LimitScope, Limiter};
pub use request::{url_origin, url_path_and_query, ApiRequest, Body, RequestHeaders};
pub use response::ApiResponse;

use chrono::{DateTime, Utc};

use crate::auth::RemoteKeys;
use crate::config::{Config, ConfigError};
use crate::domain::{EntropyUnavailable, ObjectIdGenerator, RandomSource};
use crate::storage::Stores;
use routes::Resolution;

/// What a request is served with. Configuration, storage and id generation are `Result`s so
/// that a misconfigured deployment still routes: unknown paths answer 404, preflights answer,
/// and only the endpoints that need the broken part answer 500.
pub struct Context<'a, S, R, K> {
    pub config: Result<&'a Config, ConfigError>,
    /// Read apart from `config` so that CORS answers even when the rest is misconfigured.
    pub cors: &'a CorsPolicy,
    /// The JWKS keys (used only when `JWT_JWKS_URL` is set).
    pub remote_keys: &'a K,
    pub store: Result<&'a S, ConfigError>,
    pub ids: Result<&'a ObjectIdGenerator, EntropyUnavailable>,
    pub now: DateTime<Utc>,
    pub random: R,
    /// The public lifecycle calls' rate limits; `None` when `RATE_LIMITS=off`.
    pub limiter: Option<&'a dyn Limiter>,
}

/// Routes a request and turns every outcome, success or error, into a CORS-decorated response.
pub async fn handle<S: Stores, R: RandomSource, K: RemoteKeys>(
    request: ApiRequest,
    cx: &mut Context<'_, S, R, K>,
) -> ApiResponse {
    let resolution = routes::resolve(&request.method, &request.path);
    let scope = resolution.cors_scope();
    let response = match resolution {
        Resolution::Found(route, params) => routes::dispatch(route, &params, &request, cx)
            .await
            .unwrap_or_else(ApiError::into_response),
        // A preflight answer carries its own CORS headers.
        Resolution::Preflight { methods, .. } => {
            return cx.cors.preflight(scope, &methods, &request.cors())
        }
        Resolution::WrongMethod { allow, .. } => {
            ApiError::MethodNotAllowed { allow }.into_response()
        }
        Resolution::NotFound => ApiError::NotFound.into_response(),
    };
    cx.cors
        .decorate(scope, request.headers.origin.as_deref(), response)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
