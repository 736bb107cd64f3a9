//! CORS for browser callers. Developer routes are open to an allow-list of origins
//! (`CORS_ORIGINS`); public routes (health, and later validate and the published keys) to any
//! origin. Preflights answer with the methods the route table lists for the path, and every
//! answer carries `Vary: Origin`.
//!
//! KeyBox never sends `Access-Control-Allow-Credentials`: bearer tokens travel in the
//! `Authorization` header, not in cookies, so browsers need no credentialed mode. An allowed
//! origin is echoed back; `*` is only sent when `CORS_ORIGINS` is `*` or the route is public,
//! and then never with credentials.

use super::{ApiError, ApiResponse};

/// Headers a browser may send.
pub const ALLOWED_HEADERS: [&str; 3] = ["authorization", "content-type", "idempotency-key"];
/// `Access-Control-Allow-Headers`: [`ALLOWED_HEADERS`] as sent.
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Idempotency-Key";
/// Response headers a browser script may read.
pub const EXPOSED_HEADERS: &str = "Idempotent-Replayed, Retry-After, WWW-Authenticate";
/// How long a browser may reuse a preflight answer.
pub const MAX_AGE_SECONDS: &str = "600";

/// Which origins a route is open to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorsScope {
    /// The origins of `CORS_ORIGINS` (developer routes).
    Listed,
    /// Any origin (public routes: no credentials, nothing private).
    AnyOrigin,
}

/// The origins allowed to call the developer routes from a browser.
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

    /// The `Access-Control-Allow-Origin` value for `origin` on a route of `scope`, if allowed.
    pub fn allow_origin(&self, scope: CorsScope, origin: Option<&str>) -> Option<String> {
        let origin = origin?;
        if self.any || scope == CorsScope::AnyOrigin {
            return Some("*".into());
        }
        let normalised = normalise(origin)?;
        self.origins
            .contains(&normalised)
            .then(|| origin.to_owned())
    }

    /// The answer to `OPTIONS` on a path whose routes accept `methods`.
    pub fn preflight(
        &self,
        scope: CorsScope,
        methods: &[&str],
        request: &CorsRequest<'_>,
    ) -> ApiResponse {
        let listed = methods.join(", ");
        let Some(method) = request.request_method else {
            // Not a CORS preflight: a plain OPTIONS asking what the route supports.
            return ApiResponse::empty(204)
                .with_header("allow", format!("{listed}, OPTIONS"))
                .with_header("vary", "Origin");
        };
        let requested_ok = request
            .request_headers
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .all(|h| ALLOWED_HEADERS.contains(&h.as_str()));
        match self.allow_origin(scope, request.origin) {
            Some(origin) if methods.contains(&method) && requested_ok => ApiResponse::empty(204)
                .with_header("access-control-allow-origin", origin)
                .with_header("access-control-allow-methods", listed)
                .with_header("access-control-allow-headers", ALLOW_HEADERS)
                .with_header("access-control-max-age", MAX_AGE_SECONDS)
                .with_header("vary", VARY_PREFLIGHT),
            _ => ApiError::CorsRefused
                .into_response()
                .with_header("vary", VARY_PREFLIGHT),
        }
    }

    /// Adds the CORS headers of an actual (non-preflight) answer.
    pub fn decorate(
        &self,
        scope: CorsScope,
        origin: Option<&str>,
        response: ApiResponse,
    ) -> ApiResponse {
        let response = response.with_header("vary", "Origin");
        match self.allow_origin(scope, origin) {
            Some(origin) => response
                .with_header("access-control-allow-origin", origin)
                .with_header("access-control-expose-headers", EXPOSED_HEADERS),
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
        policy().preflight(
            CorsScope::Listed,
            &["POST"],
            &CorsRequest {
                origin: Some(origin),
                request_method: Some(method),
                request_headers: Some(headers),
            },
        )
    }

    #[test]
    fn an_allowed_origin_gets_a_preflight_for_post_with_authorization_content_type_and_idempotency_key(
    ) {
        let response = preflight(APP, "POST", "authorization, content-type, idempotency-key");
        assert_eq!(response.status, 204);
        assert_eq!(response.body, "");
        assert_eq!(response.header("access-control-allow-origin"), Some(APP));
        assert_eq!(
            response.header("access-control-allow-methods"),
            Some("POST")
        );
        assert_eq!(
            response.header("access-control-allow-headers"),
            Some("Authorization, Content-Type, Idempotency-Key")
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
        assert_eq!(none.allow_origin(CorsScope::Listed, Some(APP)), None);
        assert_eq!(
            CorsPolicy::default().allow_origin(CorsScope::Listed, Some(APP)),
            None
        );
    }

    #[test]
    fn origins_match_exactly_ignoring_case_and_echo_the_callers_spelling() {
        let p = policy();
        assert_eq!(
            p.allow_origin(CorsScope::Listed, Some(APP)),
            Some(APP.into())
        );
        assert_eq!(
            p.allow_origin(CorsScope::Listed, Some("HTTPS://APP.EXAMPLE.COM")),
            Some("HTTPS://APP.EXAMPLE.COM".into())
        );
        assert_eq!(
            p.allow_origin(CorsScope::Listed, Some("http://app.example.com")),
            None,
            "scheme differs"
        );
        assert_eq!(
            p.allow_origin(CorsScope::Listed, Some("https://app.example.com:8443")),
            None,
            "port differs"
        );
        assert_eq!(
            p.allow_origin(CorsScope::Listed, Some("http://localhost:5173")),
            Some("http://localhost:5173".into())
        );
        assert_eq!(p.allow_origin(CorsScope::Listed, None), None);
    }

    #[test]
    fn a_wildcard_setting_sends_a_wildcard_and_never_credentials() {
        let any = CorsPolicy::from_setting(Some("*"));
        let response = any.decorate(
            CorsScope::Listed,
            Some(APP),
            ApiResponse::raw_json(201, "{}"),
        );
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        assert_eq!(response.header("access-control-allow-credentials"), None);
    }

    #[test]
    fn every_answer_varies_by_origin_and_allowed_ones_can_read_the_documented_headers() {
        let allowed = policy().decorate(
            CorsScope::Listed,
            Some(APP),
            ApiResponse::raw_json(401, "{}"),
        );
        assert_eq!(allowed.header("vary"), Some("Origin"));
        assert_eq!(allowed.header("access-control-allow-origin"), Some(APP));
        assert_eq!(
            allowed.header("access-control-expose-headers"),
            Some("Idempotent-Replayed, Retry-After, WWW-Authenticate")
        );
        let refused = policy().decorate(
            CorsScope::Listed,
            Some("https://evil.example"),
            ApiResponse::raw_json(201, "{}"),
        );
        assert_eq!(refused.header("vary"), Some("Origin"));
        assert_eq!(refused.header("access-control-allow-origin"), None);
    }

    #[test]
    fn a_plain_options_request_lists_the_methods() {
        let response = policy().preflight(CorsScope::Listed, &["POST"], &CorsRequest::default());
        assert_eq!(response.status, 204);
        assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    }

    #[test]
    fn public_routes_answer_any_origin_with_a_wildcard() {
        let none = CorsPolicy::default();
        let response = none.decorate(
            CorsScope::AnyOrigin,
            Some("https://anywhere.example"),
            ApiResponse::raw_json(200, "{}"),
        );
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        let preflight = none.preflight(
            CorsScope::AnyOrigin,
            &["GET"],
            &CorsRequest {
                origin: Some("https://anywhere.example"),
                request_method: Some("GET"),
                request_headers: None,
            },
        );
        assert_eq!(preflight.status, 204);
        assert_eq!(
            preflight.header("access-control-allow-methods"),
            Some("GET")
        );
    }
}
