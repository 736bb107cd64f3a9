//! `GET /openapi.json`: the OpenAPI 3.1 document of the API (`docs/openapi.json`), embedded at
//! build time. Public and cacheable: it changes only with a deploy.

use crate::http::ApiResponse;

/// The document as committed (pretty-printed); the tests below and the HTTP suite hold it true
/// to the server.
const COMMITTED: &str = include_str!("../../../docs/openapi.json");

/// The document served: the committed one without the whitespace between its tokens, made at
/// compile time. Half the bytes (32 KB less in the wasm, 0.8 KB gzip), the same JSON.
pub const DOCUMENT: &str = match std::str::from_utf8(&MINIFIED) {
    Ok(text) => text,
    Err(_) => panic!("minifying keeps UTF-8: it only drops ASCII whitespace"),
};
static MINIFIED: [u8; minify(COMMITTED.as_bytes(), &mut [])] = {
    let mut out = [0; minify(COMMITTED.as_bytes(), &mut [])];
    minify(COMMITTED.as_bytes(), &mut out);
    out
};

/// Copies `json` into `out` without the whitespace outside its strings, and returns how many
/// bytes that is; with an empty `out` it only counts.
const fn minify(json: &[u8], out: &mut [u8]) -> usize {
    let (mut i, mut kept, mut in_string, mut escaped) = (0, 0, false, false);
    while i < json.len() {
        let byte = json[i];
        i += 1;
        if in_string {
            in_string = escaped || byte != b'"';
            escaped = !escaped && byte == b'\\';
        } else if matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
            continue;
        } else {
            in_string = byte == b'"';
        }
        if !out.is_empty() {
            out[kept] = byte;
        }
        kept += 1;
    }
    kept
}

/// How long clients and caches may keep the document (seconds).
pub const MAX_AGE_SECONDS: u32 = 3600;

pub fn handle() -> ApiResponse {
    ApiResponse {
        status: 200,
        headers: vec![(
            "cache-control",
            format!("public, max-age={MAX_AGE_SECONDS}"),
        )],
        body: DOCUMENT.to_owned(),
        log: None,
    }
}

#[cfg(test)]
#[path = "openapi_rules.rs"]
mod rules;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::http::routes::ROUTES;

    fn document() -> Value {
        serde_json::from_str(DOCUMENT).expect("docs/openapi.json is JSON")
    }

    /// `/license/:key` → `/license/{key}`.
    fn template(pattern: &str) -> String {
        pattern
            .split('/')
            .map(|s| match s.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn the_served_document_is_the_committed_one_without_whitespace() {
        let committed: Value = serde_json::from_str(COMMITTED).unwrap();
        assert_eq!(document(), committed);
        // serde_json writes compact JSON (keys sorted, so only the length compares).
        let compact = serde_json::to_string(&committed).unwrap();
        assert_eq!(DOCUMENT.len(), compact.len());
        let mut out = [0; 64];
        let text = br#"{ "a b": "say \"hi\" \\",
	"c" : [1, 2] }"#;
        let kept = minify(text, &mut out);
        assert_eq!(&out[..kept], br#"{"a b":"say \"hi\" \\","c":[1,2]}"#);
    }

    #[test]
    fn every_routed_method_and_path_is_documented_and_every_documented_one_is_routed() {
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_ascii_lowercase(), template(r.path)))
            .collect();
        let doc = document();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if method != "parameters" && method != "options" {
                    documented.insert((method.clone(), path.clone()));
                }
            }
        }
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routed, not documented: {undocumented:?}"
        );
        assert!(unrouted.is_empty(), "documented, not routed: {unrouted:?}");
    }

    #[test]
    fn developer_routes_need_the_bearer_scheme_and_public_ones_do_not() {
        let doc = document();
        for route in ROUTES {
            let operation = &doc["paths"][template(route.path)][route.method.to_ascii_lowercase()];
            let security = operation["security"].as_array().expect("explicit security");
            let token = route.access == crate::http::routes::Access::Token;
            assert_eq!(
                security.iter().any(|s| s.get("bearer").is_some()),
                token,
                "{} {}",
                route.method,
                route.path
            );
            if token {
                assert!(operation["responses"]["401"].is_object(), "{}", route.path);
            }
        }
    }

    #[test]
    fn the_answer_is_the_document_and_cacheable() {
        let response = handle();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, DOCUMENT);
        assert_eq!(
            response.header("cache-control"),
            Some("public, max-age=3600")
        );
        assert_eq!(document()["openapi"], "3.1.0");
    }
}
