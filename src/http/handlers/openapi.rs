//! `GET /openapi.json`: the OpenAPI 3.1 document of the API (`docs/openapi.json`), embedded at
//! build time. Public and cacheable: it changes only with a deploy.

use crate::http::ApiResponse;

/// The document, as committed; the tests below and the HTTP suite hold it true to the server.
pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

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
