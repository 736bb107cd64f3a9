/// Why no bearer token could be read from an `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerError {
    /// No header, an empty one, or `Bearer` with nothing after it.
    Missing,
    /// A credential in another scheme (`Basic …`).
    OtherScheme,
}

/// The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235).
pub fn bearer_token(header: Option<&str>) -> Result<&str, BearerError> {
    let header = header.map(str::trim).unwrap_or_default();
    if header.is_empty() {
        return Err(BearerError::Missing);
    }
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerError::OtherScheme);
    }
    match token.trim() {
        "" => Err(BearerError::Missing),
        token => Ok(token),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_token_after_the_bearer_scheme() {
        assert_eq!(bearer_token(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
        assert_eq!(bearer_token(Some("bearer   abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("BEARER abc ")), Ok("abc"));
    }

    #[test]
    fn an_absent_or_empty_credential_is_a_missing_token() {
        for header in [
            None,
            Some(""),
            Some("   "),
            Some("Bearer"),
            Some("Bearer "),
            Some("bearer    "),
        ] {
            assert_eq!(
                bearer_token(header),
                Err(BearerError::Missing),
                "{header:?}"
            );
        }
    }

    #[test]
    fn other_schemes_are_not_bearer_tokens() {
        for header in [
            "Basic dXNlcjpwYXNz",
            "Token abc",
            "abc.def.ghi",
            "Bearer-abc",
        ] {
            assert_eq!(
                bearer_token(Some(header)),
                Err(BearerError::OtherScheme),
                "{header}"
            );
        }
    }
}
