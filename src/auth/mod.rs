//! Who is calling: the `Authorization` header and JWT verification, pure
//! (`(header, key, now) -> user or a typed error`).

mod bearer;
mod jwt;

pub use bearer::{bearer_token, BearerError};
pub use jwt::{InvalidToken, JwtVerifier, DEFAULT_LEEWAY_SECONDS, MAX_TOKEN_BYTES};

use chrono::{DateTime, Utc};

use crate::domain::UserId;

/// Why a request is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header, or one without a token.
    NoToken,
    /// A token was sent and refused.
    Invalid(InvalidToken),
}

/// Authenticates a request from its `Authorization` header value.
pub fn authenticate(
    header: Option<&str>,
    verifier: &JwtVerifier,
    now: DateTime<Utc>,
) -> Result<UserId, AuthError> {
    let token = bearer_token(header).map_err(|e| match e {
        BearerError::Missing => AuthError::NoToken,
        BearerError::OtherScheme => AuthError::Invalid(InvalidToken::NotBearer),
    })?;
    verifier.verify(token, now).map_err(AuthError::Invalid)
}
