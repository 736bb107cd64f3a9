//! The parts of an HTTP request the API reads, owned: the edge copies them off the runtime's
//! request once.

use super::CorsRequest;
use crate::domain::RequestError;

/// A request body as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Bytes(Vec<u8>),
    /// Longer than [`crate::domain::MAX_BODY_BYTES`]; reading stopped there.
    TooLarge,
}

/// The request headers the API reads (names are matched case-insensitively by the runtime).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeaders {
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub idempotency_key: Option<String>,
    pub origin: Option<String>,
    /// `Access-Control-Request-Method` (preflights only).
    pub request_method: Option<String>,
    /// `Access-Control-Request-Headers` (preflights only).
    pub request_headers: Option<String>,
    /// `CF-Connecting-IP`: the client's address, as Cloudflare saw it (rate limits).
    pub client_ip: Option<String>,
}

impl RequestHeaders {
    /// The header names read, lowercase, in the order of the fields.
    pub const NAMES: [&'static str; 7] = [
        "authorization",
        "content-type",
        "idempotency-key",
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
        "cf-connecting-ip",
    ];

    /// Builds the headers from a name → value lookup (the runtime's `Headers`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let [authorization, content_type, idempotency_key, origin, method, headers, client_ip] =
            Self::NAMES.map(get);
        Self {
            authorization,
            content_type,
            idempotency_key,
            origin,
            request_method: method,
            request_headers: headers,
            client_ip,
        }
    }
}

/// An HTTP request as the API sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: String,
    /// The URL's path, without the query.
    pub path: String,
    /// The URL's query, without the `?` (empty when there is none).
    pub query: String,
    pub headers: RequestHeaders,
    pub body: Body,
    /// The origin of the request's URL, `scheme://host[:port]`: the default issuer of license
    /// tokens (the `Origin` header is the caller's, in `headers`).
    pub url_origin: String,
}

impl ApiRequest {
    /// The body of a JSON request, or why it is not one (too large, another media type).
    pub fn json_body(&self) -> Result<&[u8], RequestError> {
        let Body::Bytes(bytes) = &self.body else {
            return Err(RequestError::BodyTooLarge);
        };
        if !is_json(self.headers.content_type.as_deref()) {
            return Err(RequestError::UnsupportedMediaType);
        }
        Ok(bytes)
    }

    /// The first value of the query parameter `name`, percent-decoded (`+` is a space);
    /// `None` when absent. A value that is not UTF-8 once decoded is kept lossily.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .find(|(key, _)| decode(key) == name)
            .map(|(_, value)| decode(value))
    }

    /// The CORS-relevant headers.
    pub fn cors(&self) -> CorsRequest<'_> {
        CorsRequest {
            origin: self.headers.origin.as_deref(),
            request_method: self.headers.request_method.as_deref(),
            request_headers: self.headers.request_headers.as_deref(),
        }
    }
}

/// The origin, `scheme://host[:port]`, of an absolute URL as the runtime serialises it (WHATWG:
/// lowercase scheme and host, default port omitted); user info is dropped. Empty when `url` has
/// no `scheme://`.
pub fn url_origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
}

/// The path (`/` when the URL has none) and the query (without `?`, empty when absent) of an
/// absolute URL as the runtime serialises it; the fragment is dropped.
pub fn url_path_and_query(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split('#').next().unwrap_or_default();
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = before_query.find('/').map_or("/", |at| &before_query[at..]);
    (path.to_owned(), query.to_owned())
}

/// `application/json`, any `application/*+json`, or no Content-Type at all (parsed as JSON,
/// as clients that omit it expect). Anything else, form encoding included, is refused.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(value) = content_type.map(str::trim).filter(|v| !v.is_empty()) else {
        return true;
    };
    let media_type = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// `application/x-www-form-urlencoded` decoding: `%XX` escapes and `+` for a space. A `%`
/// not followed by two hex digits is kept as it is.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_query(query: &str) -> ApiRequest {
        ApiRequest {
            method: "GET".into(),
            path: "/".into(),
            query: query.into(),
            headers: RequestHeaders::default(),
            body: Body::Bytes(Vec::new()),
            url_origin: "https://keybox.example".into(),
        }
    }

    #[test]
    fn query_parameters_are_found_by_name_and_percent_decoded() {
        let request = with_query("limit=3&cursor=a%2Bb%3D&status=ACTIVE&empty=&flag&limit=9&q=a+b");
        assert_eq!(
            request.query_param("limit").as_deref(),
            Some("3"),
            "the first wins"
        );
        assert_eq!(request.query_param("cursor").as_deref(), Some("a+b="));
        assert_eq!(request.query_param("q").as_deref(), Some("a b"));
        assert_eq!(request.query_param("empty").as_deref(), Some(""));
        assert_eq!(request.query_param("flag").as_deref(), Some(""));
        assert_eq!(request.query_param("missing"), None);
        assert_eq!(with_query("").query_param("limit"), None);
        assert_eq!(
            with_query("x=%zz%4").query_param("x").as_deref(),
            Some("%zz%4")
        );
        assert_eq!(
            with_query("x=%FF").query_param("x").as_deref(),
            Some("\u{FFFD}")
        );
    }

    #[test]
    fn the_path_and_query_are_split_off_the_url_and_the_fragment_dropped() {
        for (url, path, query) in [
            ("https://keybox.example/validate", "/validate", ""),
            (
                "https://keybox.example/licenses?status=ACTIVE&limit=2",
                "/licenses",
                "status=ACTIVE&limit=2",
            ),
            (
                "http://127.0.0.1:8787/clients/abc?x=1#top",
                "/clients/abc",
                "x=1",
            ),
            ("https://keybox.example", "/", ""),
            ("https://keybox.example?q=1", "/", "q=1"),
            ("https://keybox.example/a%20b/?", "/a%20b/", ""),
            ("http://[::1]:8787/health#f", "/health", ""),
        ] {
            let (p, q) = url_path_and_query(url);
            assert_eq!((p.as_str(), q.as_str()), (path, query), "{url}");
        }
    }

    #[test]
    fn the_url_origin_is_scheme_host_and_port_only() {
        for (url, origin) in [
            (
                "https://keybox.example.workers.dev/validate?x=1",
                "https://keybox.example.workers.dev",
            ),
            (
                "http://127.0.0.1:8787/validate/activate",
                "http://127.0.0.1:8787",
            ),
            (
                "https://licenses.example.com",
                "https://licenses.example.com",
            ),
            (
                "https://licenses.example.com?q#f",
                "https://licenses.example.com",
            ),
            (
                "https://user:pw@licenses.example.com/x",
                "https://licenses.example.com",
            ),
            ("http://[::1]:8787/", "http://[::1]:8787"),
            ("not a url", ""),
        ] {
            assert_eq!(url_origin(url), origin, "{url}");
        }
    }

    #[test]
    fn json_media_types_and_a_missing_header_are_accepted() {
        for value in [
            None,
            Some(""),
            Some("application/json"),
            Some("Application/JSON; charset=utf-8"),
            Some("application/merge-patch+json"),
        ] {
            assert!(is_json(value), "{value:?}");
        }
    }

    #[test]
    fn other_media_types_are_refused() {
        for value in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
            "text/json+xml",
            "json",
        ] {
            assert!(!is_json(Some(value)), "{value}");
        }
    }
}
