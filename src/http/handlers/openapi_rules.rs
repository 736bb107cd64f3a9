//! The document checked as OpenAPI 3.1 without the official meta-schema (not vendored): the
//! structural rules a generator or an HTTP tool relies on, and (natively) every schema compiled
//! as JSON Schema 2020-12, the dialect OpenAPI 3.1 uses.

use std::collections::BTreeSet;

use serde_json::Value;

use super::DOCUMENT;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn document() -> Value {
    serde_json::from_str(DOCUMENT).expect("docs/openapi.json is JSON")
}

/// Every `$ref` in `value`, with where it was found.
fn refs<'v>(value: &'v Value, at: String, found: &mut Vec<(String, &'v str)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push((at.clone(), target));
            }
            for (name, item) in map {
                let name = name.replace('~', "~0").replace('/', "~1");
                refs(item, format!("{at}/{name}"), found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                refs(item, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// A parameter, following its `$ref`.
fn resolve<'d>(doc: &'d Value, item: &'d Value) -> &'d Value {
    match item["$ref"].as_str() {
        Some(target) => doc
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {target}")),
        None => item,
    }
}

#[test]
fn the_document_declares_openapi_3_1_and_its_info() {
    let doc = document();
    let version = doc["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1."), "{version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let allowed = [
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    ];
    for field in doc.as_object().unwrap().keys() {
        assert!(allowed.contains(&field.as_str()), "unknown field {field}");
    }
}

#[test]
fn every_ref_points_inside_the_document() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, String::new(), &mut found);
    assert!(!found.is_empty());
    for (at, target) in found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: external $ref {target}"));
        assert!(doc.pointer(pointer).is_some(), "{at}: dangling {target}");
    }
}

#[test]
fn every_operation_has_a_unique_id_described_responses_and_declared_path_parameters() {
    let doc = document();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        let templated: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(METHODS.contains(&method.as_str()), "{at}: not a method");
            let id = operation["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "{at}: operationId {id} twice");
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{at}: no responses");
            for (status, response) in responses {
                let valid = status == "default"
                    || (status.len() == 3
                        && status.chars().all(|c| c.is_ascii_digit())
                        && ("1"..="5").contains(&&status[..1]));
                assert!(valid, "{at}: status {status}");
                assert!(
                    resolve(&doc, response)["description"].is_string(),
                    "{at} {status}: a response needs a description"
                );
            }
            let mut declared = BTreeSet::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let parameter = resolve(&doc, parameter);
                let place = parameter["in"].as_str().expect("in");
                assert!(
                    ["query", "header", "path", "cookie"].contains(&place),
                    "{at}: in {place}"
                );
                let name = parameter["name"].as_str().expect("name");
                if place == "path" {
                    assert_eq!(parameter["required"], true, "{at}: path {name}");
                    declared.insert(name);
                }
            }
            assert_eq!(declared, templated, "{at}: path parameters");
            if let Some(body) = operation.get("requestBody") {
                assert!(body["content"].is_object(), "{at}: requestBody content");
            }
            for requirement in operation["security"].as_array().expect("security") {
                for scheme in requirement.as_object().unwrap().keys() {
                    assert!(schemes.contains_key(scheme), "{at}: scheme {scheme}");
                }
            }
        }
    }
}

/// jsonschema is a native dev-dependency only.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_schema_compiles_as_json_schema_2020_12() {
    let doc = document();
    let mut pointers: Vec<String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|name| format!("/components/schemas/{name}"))
        .collect();
    let mut found = Vec::new();
    refs(&doc, String::new(), &mut found);
    pointers.extend(
        found
            .iter()
            .filter(|(at, _)| at.ends_with("/schema"))
            .map(|(at, _)| at.clone()),
    );
    for pointer in pointers {
        let mut root = doc.clone();
        // A URI fragment: path templates' braces are percent-encoded.
        let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
        root["$ref"] = Value::String(format!("#{fragment}"));
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{pointer}: {e}"));
    }
}
