//! The rule for URLs the worker sends requests to (`JWT_JWKS_URL`, `MONGODB_DATA_API_URL`):
//! `https://`, or plain `http://` only to a loopback host, for local development and tests.
//! Decided by a URI parser, not by prefixes: `http://localhost:@evil.example/` is a request to
//! `evil.example`, and user info is refused altogether (credentials do not belong in a URL, and
//! it is how such a URL hides its host).

use std::net::IpAddr;

use http::Uri;

use super::{error, ConfigError};

const NOT_HTTPS: &str =
    "must be an https:// URL (plain http:// only to localhost, 127.0.0.0/8 or [::1])";
const USER_INFO: &str = "must not contain a user name or password";

/// `url` (as written) when it is `https://` or `http://` to a loopback host; an error naming
/// `setting`, never the value, otherwise.
pub(super) fn remote_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let uri: Uri = url.parse().map_err(|_| error(setting, NOT_HTTPS))?;
    let authority = uri.authority().ok_or(error(setting, NOT_HTTPS))?;
    if authority.as_str().contains('@') {
        return Err(error(setting, USER_INFO));
    }
    let https = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    let http = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("http"));
    if authority.host().is_empty() || !(https || (http && is_loopback(authority.host()))) {
        return Err(error(setting, NOT_HTTPS));
    }
    Ok(url.to_owned())
}

/// `localhost`, an address in 127.0.0.0/8, or `[::1]`.
fn is_loopback(host: &str) -> bool {
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || literal.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_to_a_loopback_host() {
        let ok = Ok(());
        let cases = [
            ("https://idp.example/.well-known/jwks.json", ok, "https"),
            (
                "HTTPS://idp.example/jwks",
                ok,
                "schemes are case-insensitive",
            ),
            ("https://127.0.0.1/jwks", ok, "https to loopback"),
            (
                "http://127.0.0.1:8080/jwks",
                ok,
                "IPv4 loopback with a port",
            ),
            ("http://127.0.0.1/jwks", ok, "IPv4 loopback"),
            ("http://127.8.9.10/jwks", ok, "anywhere in 127.0.0.0/8"),
            ("http://localhost:8787/", ok, "localhost"),
            ("http://LOCALHOST/", ok, "host names are case-insensitive"),
            ("http://[::1]:9000/jwks", ok, "IPv6 loopback"),
            (
                "http://localhost:@evil.example/",
                Err(USER_INFO),
                "user info hiding the host",
            ),
            (
                "http://127.0.0.1@evil.example/",
                Err(USER_INFO),
                "user info hiding the host",
            ),
            (
                "https://user:pass@idp.example/",
                Err(USER_INFO),
                "user info over https",
            ),
            (
                "http://localhost.evil.example/",
                Err(NOT_HTTPS),
                "a host starting with localhost",
            ),
            (
                "http://127.0.0.1.evil.example/",
                Err(NOT_HTTPS),
                "a host starting with 127.0.0.1",
            ),
            (
                "http://example.com/jwks",
                Err(NOT_HTTPS),
                "plain http to the internet",
            ),
            (
                "http://10.0.0.1/jwks",
                Err(NOT_HTTPS),
                "plain http to a private address",
            ),
            (
                "http://[::ffff:127.0.0.1]/",
                Err(NOT_HTTPS),
                "an IPv4-mapped address",
            ),
            (
                "http://0x7f.1/",
                Err(NOT_HTTPS),
                "a loopback address in another notation",
            ),
            ("ftp://127.0.0.1/jwks", Err(NOT_HTTPS), "another scheme"),
            ("//idp.example/jwks", Err(NOT_HTTPS), "no scheme"),
            ("/jwks", Err(NOT_HTTPS), "a path"),
            ("https://", Err(NOT_HTTPS), "no host"),
            (
                "https://idp.example\\@evil.example/",
                Err(NOT_HTTPS),
                "a backslash",
            ),
            ("not a url", Err(NOT_HTTPS), "not a URL"),
        ];
        for (url, expected, why) in cases {
            let outcome = remote_url("JWT_JWKS_URL", url);
            assert_eq!(
                outcome,
                expected
                    .map(|()| url.to_owned())
                    .map_err(|problem| error("JWT_JWKS_URL", problem)),
                "{why}: {url}"
            );
        }
    }
}
