use super::ApiResponse;
use crate::app::AppError;
use crate::auth::AuthError;
use crate::config::ConfigError;
use crate::domain::{EntropyUnavailable, RequestError};
use crate::storage::{Refusal, StoreError};

/// Every way a request can fail. [`ApiError::into_response`] is the one place that picks
/// status codes and error bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Auth(AuthError),
    Request(RequestError),
    /// A use case's refusal or failure.
    App(AppError),
    NotFound,
    MethodNotAllowed {
        /// The value of the `Allow` header.
        allow: String,
    },
    /// A CORS preflight from an origin, or for a method or header, that is not allowed.
    CorsRefused,
    Config(ConfigError),
    InvalidIdempotencyKey,
    /// `POST /validate` could not read the store: the original's `{valid: null}` 500.
    ValidationUnavailable(StoreError),
    /// A public lifecycle call over its rate limit: 429 with `Retry-After` (seconds).
    TooManyRequests {
        retry_after: u32,
    },
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        Self::Auth(e)
    }
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
    }
}

impl From<EntropyUnavailable> for ApiError {
    fn from(e: EntropyUnavailable) -> Self {
        Self::App(e.into())
    }
}

impl ApiError {
    pub fn into_response(self) -> ApiResponse {
        match self {
            Self::Auth(AuthError::NoToken) => ApiResponse::message(401, "No token provided")
                .with_header("www-authenticate", "Bearer"),
            Self::Auth(AuthError::Invalid(why)) => ApiResponse::text_fields(
                401,
                // The keys in the order the answer always had.
                &[("error", why.reason()), ("message", "Unauthorized")],
            )
            .with_header(
                "www-authenticate",
                format!(
                    r#"Bearer error="invalid_token", error_description="{}""#,
                    why.reason()
                ),
            ),
            Self::Auth(AuthError::KeysUnavailable) => ApiResponse {
                log: Some(
                    "no JWKS key available: the JWKS endpoint failed and nothing is cached".into(),
                ),
                ..ApiResponse::text_fields(
                    503,
                    &[(
                        "error",
                        "Could not verify the token: signing keys are unavailable",
                    )],
                )
                .with_header("retry-after", "30")
            },
            Self::Request(e) => {
                let status = match e {
                    RequestError::BodyTooLarge => 413,
                    RequestError::UnsupportedMediaType => 415,
                    _ => 400,
                };
                ApiResponse::message(status, e.message())
            }
            Self::NotFound => ApiResponse::message(404, "Not found"),
            // Never a `valid` field: the original Node SDK exits the app on `valid: false`.
            Self::TooManyRequests { retry_after } => ApiResponse::message(429, "Too many requests")
                .with_header("retry-after", retry_after.to_string()),
            Self::InvalidIdempotencyKey => ApiResponse::message(
                400,
                "Invalid Idempotency-Key: expected 1 to 255 visible ASCII characters",
            ),
            Self::CorsRefused => ApiResponse::message(403, "CORS request not allowed"),
            Self::App(AppError::IdempotencyMismatch) => {
                ApiResponse::message(422, "Idempotency-Key already used with a different request")
            }
            Self::App(
                AppError::IdempotencyInProgress
                | AppError::Storage(StoreError::IdempotencyConflict),
            ) => ApiResponse::message(409, "Request in progress"),
            Self::MethodNotAllowed { allow } => {
                ApiResponse::message(405, "Method not allowed").with_header("allow", allow)
            }
            Self::Config(e) => server_error(&format!("Server misconfigured: {e}"), e.to_string()),
            Self::App(AppError::Storage(StoreError::Unavailable { operation, detail })) => {
                server_error(
                    "Could not store the license: the database is unavailable",
                    format!("{operation}: {detail}"),
                )
            }
            Self::App(AppError::Storage(StoreError::Duplicate) | AppError::NoUniqueKey) => {
                server_error(
                    "Could not generate a unique license key",
                    "every key drawn already existed".into(),
                )
            }
            Self::App(AppError::LicenseNotFound) => ApiResponse::message(404, "License not found"),
            Self::App(AppError::SeatNotFound) => {
                ApiResponse::message(404, "No activation for this machine and instance")
            }
            Self::App(AppError::LicenseRevoked) => {
                ApiResponse::message(403, "License has been revoked")
            }
            Self::App(AppError::LicenseExpired) => ApiResponse::message(403, "License has expired"),
            Self::App(AppError::SeatsTaken { another_instance }) => {
                let message = if another_instance {
                    "License already activated on another instance"
                } else {
                    "License already activated on another machine"
                };
                ApiResponse::message(403, message)
            }
            Self::App(AppError::ExpiredStateFrozen) => {
                ApiResponse::message(400, "State of expired licenses cannot be changed")
            }
            Self::ValidationUnavailable(e) => ApiResponse {
                log: Some(e.to_string()),
                ..ApiResponse::raw_json(500, r#"{"valid":null,"status":"server_error"}"#)
            },
            Self::App(AppError::Refused(r) | AppError::Storage(StoreError::Refused(r))) => {
                refused(r)
            }
            Self::App(AppError::Entropy) => server_error(
                "Could not generate a license key: no randomness available",
                "getrandom failed".into(),
            ),
        }
    }
}

/// A refusal of the caller's ids. Another developer's object is "not found", exactly like a
/// missing one: the same status and body.
fn refused(refusal: Refusal) -> ApiResponse {
    let (status, message) = match refusal {
        Refusal::ClientNotFound => (404, "Client not found"),
        Refusal::ProjectNotFound => (404, "Project not found"),
        Refusal::ProjectNotOfClient => (400, "Project does not belong to client"),
        Refusal::EmailTaken => (409, "Client with this email already exists"),
        Refusal::ClientHasProjects => (409, "Client still has projects: delete them first"),
        Refusal::ProjectHasLicenses => (
            409,
            "Project still has licenses that are not revoked or expired",
        ),
    };
    ApiResponse::message(status, message)
}

/// A 500 in the contract's shape, `{"error": "..."}`, with the real cause kept for the log.
fn server_error(message: &str, cause: String) -> ApiResponse {
    ApiResponse {
        log: Some(cause),
        ..ApiResponse::text_fields(500, &[("error", message)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::InvalidToken;

    #[test]
    fn a_missing_token_is_the_contracts_401() {
        let response = ApiError::Auth(AuthError::NoToken).into_response();
        assert_eq!(
            (response.status, response.body.as_str()),
            (401, r#"{"message":"No token provided"}"#)
        );
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    }

    #[test]
    fn a_refused_token_is_unauthorized_with_its_reason() {
        let response = ApiError::Auth(AuthError::Invalid(InvalidToken::Expired)).into_response();
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body,
            r#"{"error":"token expired","message":"Unauthorized"}"#
        );
        assert_eq!(
            response.header("www-authenticate"),
            Some(r#"Bearer error="invalid_token", error_description="token expired""#)
        );
    }

    #[test]
    fn bad_input_is_400_and_an_oversized_body_413() {
        let invalid = ApiError::Request(RequestError::InvalidDuration).into_response();
        assert_eq!(
            (invalid.status, invalid.body.as_str()),
            (400, r#"{"message":"Invalid duration"}"#)
        );
        assert_eq!(
            ApiError::Request(RequestError::BodyTooLarge)
                .into_response()
                .status,
            413
        );
    }

    #[test]
    fn storage_failures_are_500s_that_keep_the_cause_out_of_the_body() {
        let response = ApiError::App(AppError::Storage(StoreError::Unavailable {
            operation: "insert license",
            detail: "D1_ERROR: no such table: licenses".into(),
        }))
        .into_response();
        assert_eq!(response.status, 500);
        assert_eq!(
            response.body,
            r#"{"error":"Could not store the license: the database is unavailable"}"#
        );
        assert_eq!(
            response.log.as_deref(),
            Some("insert license: D1_ERROR: no such table: licenses")
        );
    }

    #[test]
    fn a_storage_misconfiguration_is_a_500_naming_the_setting_only() {
        let lookup = |name: &str| match name {
            "STORAGE" => Some("mongodb".to_string()),
            "MONGODB_DATA_API_URL" => Some("https://gateway.example".to_string()),
            "MONGODB_API_KEY" => Some("k3y-never-shown".to_string()),
            _ => None,
        };
        let error = crate::config::StorageConfig::from_lookup(lookup).unwrap_err();
        let response = ApiError::Config(error).into_response();
        assert_eq!(response.status, 500);
        assert_eq!(
            response.body,
            r#"{"error":"Server misconfigured: MONGODB_DATA_SOURCE is not set (required when STORAGE is \"mongodb\")"}"#
        );
        assert!(!response.log.unwrap_or_default().contains("k3y-never-shown"));
    }

    #[test]
    fn routing_errors_are_json_too() {
        let not_found = ApiError::NotFound.into_response();
        assert_eq!(
            (not_found.status, not_found.body.as_str()),
            (404, r#"{"message":"Not found"}"#)
        );
        let wrong_method = ApiError::MethodNotAllowed {
            allow: "POST".into(),
        }
        .into_response();
        assert_eq!(wrong_method.status, 405);
        assert_eq!(wrong_method.header("allow"), Some("POST"));
    }
}
