//! Every reply the suite receives is checked against `docs/openapi.json` (the document the
//! worker serves): the path must match a template, the method and status must be documented for
//! it, and a JSON body must satisfy the documented schema. A new field, a new status or a new
//! route that the document does not describe fails the test that met it.
//!
//! Deliberate exceptions, each one a reply the document cannot describe:
//! - `OPTIONS` preflights: derived for every path from the route table (tests/api/cors.rs);
//!   OpenAPI does not describe them per operation.
//! - `/__scheduled`: wrangler's Cron Trigger endpoint in `wrangler dev`, not the API.
//!
//! Unknown paths must be the documented generic 404 and a known path with an undocumented
//! method the generic 405 (`components.responses.NotFound` / `MethodNotAllowed`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::Value;

use super::Reply;

/// How many replies were validated against the document.
static VALIDATED: AtomicUsize = AtomicUsize::new(0);

/// The number of replies checked so far.
pub fn validated_count() -> usize {
    VALIDATED.load(Ordering::Relaxed)
}

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = include_str!("../../../docs/openapi.json");
        serde_json::from_str(text).expect("docs/openapi.json is JSON")
    })
}

/// A validator for the schema at `pointer` inside the document (so its `$ref`s resolve).
fn validator(pointer: &str) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap().get(pointer) {
        return found.clone();
    }
    let mut root = document().clone();
    // A URI fragment: path templates' braces are percent-encoded.
    let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
    root["$ref"] = Value::String(format!("#{fragment}"));
    let built = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("openapi.json: schema at {pointer} does not compile: {e}"));
    let built = Arc::new(built);
    cache
        .lock()
        .unwrap()
        .insert(pointer.to_owned(), built.clone());
    built
}

/// Escapes one JSON-pointer token.
fn token(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

/// The template of `path` (no query, one trailing `/` ignored), preferring the one with the
/// most literal segments, as the router does.
fn template_of(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or_default();
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let given: Vec<&str> = path.split('/').collect();
    document()["paths"]
        .as_object()?
        .keys()
        .filter(|template| {
            let wanted: Vec<&str> = template.split('/').collect();
            wanted.len() == given.len()
                && wanted.iter().zip(&given).all(|(w, g)| {
                    (w.starts_with('{') && w.ends_with('}') && !g.is_empty()) || w == g
                })
        })
        .max_by_key(|template| template.split('/').filter(|s| !s.starts_with('{')).count())
        .map(String::as_str)
}

/// The pointer of the response object for `status`, following a `$ref` to `components`.
fn response_pointer(operation: &str, status: u16) -> Option<String> {
    let doc = document();
    let pointer = format!("{operation}/responses/{status}");
    let response = doc.pointer(&pointer)?;
    Some(match response.get("$ref").and_then(Value::as_str) {
        Some(target) => target.trim_start_matches('#').to_owned(),
        None => pointer,
    })
}

/// Panics (failing the calling test) when `reply` is not what the document says `method`
/// on `path` answers.
pub fn check(method: &str, path: &str, reply: &Reply) {
    if method == "OPTIONS" || path.starts_with("/__scheduled") {
        return;
    }
    let doc = document();
    let response = match template_of(path) {
        None => {
            assert_eq!(reply.status, 404, "{method} {path}: unknown path answered");
            "/components/responses/NotFound".to_owned()
        }
        Some(template) => {
            let operation = format!("/paths/{}/{}", token(template), method.to_ascii_lowercase());
            if doc.pointer(&operation).is_none() {
                assert_eq!(
                    reply.status, 405,
                    "{method} {path}: an undocumented method answered"
                );
                "/components/responses/MethodNotAllowed".to_owned()
            } else {
                response_pointer(&operation, reply.status).unwrap_or_else(|| {
                    panic!(
                        "{method} {path}: status {} is not documented for {template}: {}",
                        reply.status, reply.body
                    )
                })
            }
        }
    };
    check_headers(method, path, &response, reply);
    let schema = format!("{response}/content/application~1json/schema");
    if doc.pointer(&schema).is_some() {
        let body: Value = serde_json::from_str(&reply.body).unwrap_or_else(|e| {
            panic!(
                "{method} {path} {}: documented as JSON, got ({e}): {}",
                reply.status, reply.body
            )
        });
        let errors: Vec<String> = validator(&schema)
            .iter_errors(&body)
            .map(|e| format!("{e} (at {})", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} {}: the body does not match {schema}: {errors:?}\n{}",
            reply.status,
            reply.body
        );
    } else {
        assert!(
            reply.body.is_empty(),
            "{method} {path} {}: undocumented body: {}",
            reply.status,
            reply.body
        );
    }
    VALIDATED.fetch_add(1, Ordering::Relaxed);
}

/// The headers a response object marks `required` must be present.
fn check_headers(method: &str, path: &str, response: &str, reply: &Reply) {
    let Some(headers) = document()
        .pointer(&format!("{response}/headers"))
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, header) in headers {
        if header["required"] == Value::Bool(true) {
            assert!(
                reply.header(name).is_some(),
                "{method} {path} {}: the documented header {name} is missing",
                reply.status
            );
        }
    }
}
