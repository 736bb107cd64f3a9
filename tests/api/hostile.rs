//! Hostile input: hundreds of generated malformed requests. Every answer is a 4xx JSON error
//! with a message, never a 5xx, and nothing is stored.

use serde_json::{json, Value};

use crate::support::{client_of, count_licenses, new_project, request, token, Reply};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![hundreds_of_malformed_requests_get_4xx_json_and_store_nothing]
}

/// One malformed request: method, path, headers, body.
struct Case {
    what: String,
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

fn authorized(what: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        what: what.into(),
        method: "POST",
        path: "/license/create".into(),
        headers: vec![
            (
                "Authorization".into(),
                format!("Bearer {}", token("hostile")),
            ),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(body.into()),
    }
}

fn with_field(project: &str, field: &str, value: &Value) -> Value {
    let mut body = json!({"duration": 6, "clientId": client_of(project), "projectId": project, "services": ["Hosting"]});
    body[field] = value.clone();
    body
}

fn cases(project: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let wrong_values = [
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(13),
        json!(1.5),
        json!(1e308),
        json!(-9_223_372_036_854_775_808i64),
        json!(u64::MAX),
        json!(""),
        json!(" "),
        json!("6"),
        json!("0x0c"),
        json!([]),
        json!([6]),
        json!({}),
        json!({"$gt": 0}),
        json!({"$oid": project}),
        json!("\u{0000}"),
        json!("x".repeat(2000)),
        json!(6.0),
        json!(-0.0),
        json!(1e-9),
        json!("NaN"),
        json!("Infinity"),
        json!([null]),
        json!({"": ""}),
        json!(format!("{project}{project}")),
    ];
    // Wrong types and values in every field (the rest of the body valid).
    for field in ["duration", "clientId", "projectId", "services"] {
        for value in &wrong_values {
            let body = with_field(project, field, value);
            if field == "services" && value.is_null() {
                continue; // null services means "default", which is valid
            }
            cases.push(authorized(
                format!("{field} = {value:.40}"),
                body.to_string(),
            ));
        }
    }
    // Unicode tricks in ids and services.
    let lookalikes = [
        format!("{project}\u{200b}"),
        format!("\u{feff}{project}"),
        format!("{}\u{0430}", &project[..23]), // Cyrillic a
        format!("{}\u{ff11}", &project[..23]), // fullwidth 1
        format!("\u{202e}{}", &project[1..]),
        format!("\u{0660}{}", &project[1..]), // Arabic-Indic zero
        format!("{project}\n"),
        format!("{}\u{0301}", &project[..23]),
    ];
    for id in &lookalikes {
        cases.push(authorized(
            format!("projectId lookalike {id:?}"),
            with_field(project, "projectId", &json!(id)).to_string(),
        ));
        cases.push(authorized(
            format!("clientId lookalike {id:?}"),
            with_field(project, "clientId", &json!(id)).to_string(),
        ));
    }
    for service in [
        "hosting",
        "HOSTING",
        "Hosting ",
        "Ηosting",
        "Domain\u{0000}",
        "Dοmain",
    ] {
        cases.push(authorized(
            format!("service {service:?}"),
            with_field(project, "services", &json!([service])).to_string(),
        ));
    }
    // Broken JSON, wrong shapes, duplicate keys, deep nesting, huge numbers, bad encodings.
    let valid = with_field(project, "duration", &json!(6)).to_string();
    let texts: Vec<(String, Vec<u8>)> = vec![
        (
            "truncated".into(),
            valid.as_bytes()[..valid.len() - 1].to_vec(),
        ),
        (
            "trailing comma".into(),
            valid.replace('}', ",}").into_bytes(),
        ),
        ("single quotes".into(), valid.replace('"', "'").into_bytes()),
        ("comments".into(), format!("/*x*/{valid}").into_bytes()),
        (
            "two documents".into(),
            format!("{valid}{valid}").into_bytes(),
        ),
        ("array of bodies".into(), format!("[{valid}]").into_bytes()),
        ("string body".into(), b"\"hello\"".to_vec()),
        ("number body".into(), b"42".to_vec()),
        ("null body".into(), b"null".to_vec()),
        (
            "duplicate duration".into(),
            valid.replacen("{", "{\"duration\":12,", 1).into_bytes(),
        ),
        (
            "duplicate projectId".into(),
            valid
                .replacen("{", "{\"projectId\":\"60f7b3b3e6b3a72e8c8e4a1b\",", 1)
                .into_bytes(),
        ),
        (
            "number overflow".into(),
            valid
                .replace("\"duration\":6", "\"duration\":1e400")
                .into_bytes(),
        ),
        (
            "giant integer".into(),
            valid
                .replace(
                    "\"duration\":6",
                    &format!("\"duration\":{}", "9".repeat(400)),
                )
                .into_bytes(),
        ),
        (
            "deep nesting".into(),
            valid
                .replace(
                    "\"duration\":6",
                    &format!("\"duration\":{}{}", "[".repeat(3000), "]".repeat(3000)),
                )
                .into_bytes(),
        ),
        (
            "lone surrogate".into(),
            valid.replace("\"Hosting\"", "\"\\ud800\"").into_bytes(),
        ),
        (
            "invalid utf-8".into(),
            valid
                .replace("Hosting", "Host\u{fffd}ing")
                .replace('\u{fffd}', "\u{0}")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 0 { 0xff } else { b })
                .collect(),
        ),
        (
            "overlong utf-8".into(),
            [
                b"{\"duration\":6,\"x\":\"".to_vec(),
                vec![0xc0, 0xaf],
                b"\"}".to_vec(),
            ]
            .concat(),
        ),
        (
            "utf-16".into(),
            valid.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
        ),
        (
            "nul bytes".into(),
            valid.replace(',', ",\u{0}").into_bytes(),
        ),
        (
            "form encoded".into(),
            b"duration=6&clientId=60f7b3b3e6b3a72e8c8e4a1a".to_vec(),
        ),
        ("whitespace only".into(), b" \n\t ".to_vec()),
        ("empty object".into(), b"{}".to_vec()),
        ("empty array".into(), b"[]".to_vec()),
        ("boolean body".into(), b"true".to_vec()),
        ("duration only".into(), b"{\"duration\":6}".to_vec()),
        (
            "ids only".into(),
            format!("{{\"clientId\":\"{project}\",\"projectId\":\"{project}\"}}").into_bytes(),
        ),
        (
            "oversized 17 KiB".into(),
            format!("{{\"pad\":\"{}\"}}", "x".repeat(17 * 1024)).into_bytes(),
        ),
        ("oversized 1 MiB".into(), vec![b' '; 1024 * 1024]),
    ];
    for (what, bytes) in texts {
        cases.push(authorized(what, bytes));
    }
    // Wrong content types with an otherwise valid body.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonp",
        "image/png",
    ] {
        let mut case = authorized(format!("content-type {content_type}"), valid.clone());
        case.headers[1].1 = content_type.into();
        cases.push(case);
    }
    // Bad credentials with an otherwise valid body.
    let long = "a".repeat(9 * 1024);
    for auth in [
        "",
        "Bearer",
        "Basic Zm9vOmJhcg==",
        "Bearer ....",
        "Bearer a.b.c",
        "Bearer a\tb",
        long.as_str(),
        "Bearer null",
        "Token x",
    ] {
        let mut case = authorized(format!("authorization {auth:.20}"), valid.clone());
        case.headers[0].1 = auth.into();
        cases.push(case);
    }
    // Oversized and odd headers (still below the runtime's own header limits).
    for (name, size) in [
        ("X-Padding", 8 * 1024),
        ("Cookie", 16 * 1024),
        ("X-Forwarded-For", 4 * 1024),
    ] {
        let mut case = authorized(format!("header {name} {size} bytes"), "{}");
        case.headers.push((name.into(), "a".repeat(size)));
        cases.push(case);
    }
    // Methods and paths.
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let mut case = authorized(format!("method {method}"), valid.clone());
        case.method = method;
        cases.push(case);
    }
    for path in [
        "/license/create/x",
        "/license/Create",
        "/license/create.json",
        "/license//create",
        "/license/%63reate",
        "/license/create%00",
        "/license/create/..",
        "/../license/create/x",
        "/licenses/create",
        "/license",
        "/",
        "/admin",
        "/.env",
        "/license/create;x",
        "/%2e%2e/etc/passwd",
    ] {
        let mut case = authorized(format!("path {path}"), valid.clone());
        case.path = path.into();
        cases.push(case);
    }
    cases
}

pub(crate) fn is_json_error(reply: &Reply) -> bool {
    reply
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
        && serde_json::from_str::<Value>(&reply.body)
            .is_ok_and(|b| b["message"].as_str().is_some_and(|m| !m.is_empty()))
}

fn hundreds_of_malformed_requests_get_4xx_json_and_store_nothing() {
    // A real project of the caller's: a request that slipped through would be stored.
    let project = new_project("hostile");
    let cases = cases(&project);
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let reply = request(case.method, &case.path, &headers, case.body.as_deref());
        if !(400..500).contains(&reply.status) || !is_json_error(&reply) {
            failures.push(format!(
                "{} → {} {:.120}",
                case.what, reply.status, reply.body
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases misbehaved:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        count_licenses(&project),
        0,
        "no hostile request stored anything"
    );
}
