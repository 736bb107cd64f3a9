//! CORS for browser callers: an allow-list of origins (`CORS_ORIGINS`), preflight answers for
//! `POST` with `Authorization` and `Content-Type`, and `Vary: Origin` on every answer.
//!
//! KeyBox never sends `Access-Control-Allow-Credentials`: bearer tokens travel in the
//! `Authorization` header, not in cookies, so browsers need no credentialed mode. An allowed
//! origin is echoed back; `*` is only sent when `CORS_ORIGINS` is `*`, and then never with
//! credentials.

use serde_json::json;

use super::ApiResponse;

/// Headers a browser may send on `POST /license/create`.
pub const ALLOWED_HEADERS: [&str; 2] = ["authorization", "content-type"];
/// How long a browser may reuse a preflight answer.
pub const MAX_AGE_SECONDS: &str = "600";

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsPolicy {
    origins: Vec<String>,
    any: bool,
}

/// The CORS-relevant headers of a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CorsRequest<'a> {
    pub origin: Option<&'a str>,
    /// `Access-Control-Request-Method` (preflights only).
    pub request_method: Option<&'a str>,
    /// `Access-Control-Request-Headers` (preflights only).
    pub request_headers: Option<&'a str>,
}

impl CorsPolicy {
    /// From `CORS_ORIGINS`: comma-separated origins (`https://app.example.com`), or `*`.
    /// Entries that are not origins (a path, no scheme) are ignored. Default: none.
    pub fn from_setting(value: Option<&str>) -> Self {
        let mut policy = Self::default();
        for entry in value.unwrap_or_default().split(',').map(str::trim) {
            if entry == "*" {
                policy.any = true;
            } else if let Some(origin) = normalise(entry) {
                policy.origins.push(origin);
            }
        }
        policy
    }

    /// The `Access-Control-Allow-Origin` value for `origin`, if it is allowed.
    pub fn allow_origin(&self, origin: Option<&str>) -> Option<String> {
        let origin = origin?;
        if self.any {
            return Some("*".into());
        }
        let normalised = normalise(origin)?;
        self.origins
            .contains(&normalised)
            .then(|| origin.to_owned())
    }

    /// The answer to `OPTIONS` on a route that accepts `POST`.
    pub fn preflight(&self, request: &CorsRequest<'_>) -> ApiResponse {
        let Some(method) = request.request_method else {
            // Not a CORS preflight: a plain OPTIONS asking what the route supports.
            return ApiResponse::empty(204)
                .with_header("allow", "POST, OPTIONS")
                .with_header("vary", "Origin");
        };
        let requested_ok = request
            .request_headers
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .all(|h| ALLOWED_HEADERS.contains(&h.as_str()));
        match self.allow_origin(request.origin) {
            Some(origin) if method == "POST" && requested_ok => ApiResponse::empty(204)
                .with_header("access-control-allow-origin", origin)
                .with_header("access-control-allow-methods", "POST")
                .with_header(
                    "access-control-allow-headers",
                    "Authorization, Content-Type",
                )
                .with_header("access-control-max-age", MAX_AGE_SECONDS)
                .with_header("vary", VARY_PREFLIGHT),
            _ => ApiResponse::json(403, &json!({"message": "CORS request not allowed"}))
                .with_header("vary", VARY_PREFLIGHT),
        }
    }

    /// Adds the CORS headers of an actual (non-preflight) answer.
    pub fn decorate(&self, origin: Option<&str>, response: ApiResponse) -> ApiResponse {
        let response = response.with_header("vary", "Origin");
        match self.allow_origin(origin) {
            Some(origin) => response
                .with_header("access-control-allow-origin", origin)
                .with_header("access-control-expose-headers", "WWW-Authenticate"),
            None => response,
        }
    }
}

const VARY_PREFLIGHT: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

/// `scheme://host[:port]` in lowercase, or `None` when `text` is not a bare origin.
fn normalise(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    let bare = !rest.is_empty() && !rest.contains(['/', '?', '#', '@', ' ']);
    (matches!(scheme, "https" | "http") && bare).then_some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "https://app.example.com";

    fn policy() -> CorsPolicy {
        CorsPolicy::from_setting(Some(
            " https://App.example.com , http://localhost:5173,not-an-origin",
        ))
    }

    fn preflight(origin: &str, method: &str, headers: &str) -> ApiResponse {
        policy().preflight(&CorsRequest {
            origin: Some(origin),
            request_method: Some(method),
            request_headers: Some(headers),
        })
    }

    #[test]
    fn an_allowed_origin_gets_a_preflight_for_post_with_authorization_and_content_type() {
        let response = preflight(APP, "POST", "authorization, content-type");
        assert_eq!(response.status, 204);
        assert_eq!(response.body, "");
        assert_eq!(response.header("access-control-allow-origin"), Some(APP));
        assert_eq!(
            response.header("access-control-allow-methods"),
            Some("POST")
        );
        assert_eq!(
            response.header("access-control-allow-headers"),
            Some("Authorization, Content-Type")
        );
        assert!(response.header("vary").unwrap().starts_with("Origin"));
        assert_eq!(response.header("access-control-allow-credentials"), None);
    }

    #[test]
    fn refused_origins_methods_and_headers_get_a_403_without_allow_origin() {
        for (origin, method, headers) in [
            ("https://evil.example.com", "POST", "authorization"),
            ("https://app.example.com.evil.com", "POST", "authorization"),
            ("null", "POST", ""),
            (APP, "DELETE", "authorization"),
            (APP, "POST", "authorization, x-api-key"),
        ] {
            let response = preflight(origin, method, headers);
            assert_eq!(response.status, 403, "{origin} {method} {headers}");
            assert_eq!(response.header("access-control-allow-origin"), None);
            assert!(response.header("vary").is_some());
        }
    }

    #[test]
    fn no_origin_is_allowed_by_default() {
        let none = CorsPolicy::from_setting(None);
        assert_eq!(none.allow_origin(Some(APP)), None);
        assert_eq!(CorsPolicy::default().allow_origin(Some(APP)), None);
    }

    #[test]
    fn origins_match_exactly_ignoring_case_and_echo_the_callers_spelling() {
        let p = policy();
        assert_eq!(p.allow_origin(Some(APP)), Some(APP.into()));
        assert_eq!(
            p.allow_origin(Some("HTTPS://APP.EXAMPLE.COM")),
            Some("HTTPS://APP.EXAMPLE.COM".into())
        );
        assert_eq!(
            p.allow_origin(Some("http://app.example.com")),
            None,
            "scheme differs"
        );
        assert_eq!(
            p.allow_origin(Some("https://app.example.com:8443")),
            None,
            "port differs"
        );
        assert_eq!(
            p.allow_origin(Some("http://localhost:5173")),
            Some("http://localhost:5173".into())
        );
        assert_eq!(p.allow_origin(None), None);
    }

    #[test]
    fn a_wildcard_setting_sends_a_wildcard_and_never_credentials() {
        let any = CorsPolicy::from_setting(Some("*"));
        let response = any.decorate(Some(APP), ApiResponse::json(201, &json!({})));
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        assert_eq!(response.header("access-control-allow-credentials"), None);
    }

    #[test]
    fn every_answer_varies_by_origin_and_allowed_ones_can_read_www_authenticate() {
        let allowed = policy().decorate(Some(APP), ApiResponse::json(401, &json!({})));
        assert_eq!(allowed.header("vary"), Some("Origin"));
        assert_eq!(allowed.header("access-control-allow-origin"), Some(APP));
        assert_eq!(
            allowed.header("access-control-expose-headers"),
            Some("WWW-Authenticate")
        );
        let refused = policy().decorate(
            Some("https://evil.example"),
            ApiResponse::json(201, &json!({})),
        );
        assert_eq!(refused.header("vary"), Some("Origin"));
        assert_eq!(refused.header("access-control-allow-origin"), None);
    }

    #[test]
    fn a_plain_options_request_lists_the_methods() {
        let response = policy().preflight(&CorsRequest::default());
        assert_eq!(response.status, 204);
        assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    }
}
