//! `POST /license/create`: the contract's success shape, its errors, their order, and storage.

use serde_json::{json, Value};

use crate::support::{
    client_of, count_licenses, create_body, new_project, post_create, random_object_id,
    stored_licenses, token,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        the_seed_example_creates_a_pending_license_in_the_documented_shape,
        the_license_is_stored_as_returned,
        services_default_to_hosting_and_duplicates_are_dropped,
        original_keybox_tokens_use_user_id_as_the_user,
        expiry_is_issue_date_plus_calendar_months,
        every_invalid_body_gets_its_own_400_and_stores_nothing,
        checks_run_in_the_original_servers_order,
        a_body_over_16_kib_is_refused_with_413,
        an_empty_body_is_an_invalid_duration,
    ]
}

fn is_iso_millis(text: &str) -> bool {
    let b = text.as_bytes();
    text.len() == 24
        && text.ends_with('Z')
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// Creates a license that must succeed; returns the response body.
fn create(body: &str) -> Value {
    let reply = post_create(Some(&token(USER)), body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

/// The token's user in the tests that create through [`create`].
const USER: &str = "60f7b3b3e6b3a72e8c8e4a1a";

fn the_seed_example_creates_a_pending_license_in_the_documented_shape() {
    let project = new_project(USER);
    let reply = post_create(Some(&token(USER)), &create_body(&project));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));

    let body = reply.json();
    assert_eq!(body["message"], "License created");
    let license = &body["license"];
    let order = [
        "key",
        "duration",
        "issuedAt",
        "expiresAt",
        "status",
        "services",
        "user",
        "client",
        "project",
        "_id",
    ];
    assert_eq!(
        license.as_object().unwrap().len(),
        order.len(),
        "exactly the documented fields"
    );
    let positions: Vec<usize> = order
        .iter()
        .map(|f| {
            reply
                .body
                .find(&format!("\"{f}\":"))
                .unwrap_or_else(|| panic!("{f} missing"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "fields in the seed example's order: {}",
        reply.body
    );
    let key = license["key"].as_str().unwrap();
    let prefix = format!("KB-{project}-");
    let segments: Vec<&str> = key
        .strip_prefix(&prefix)
        .expect("KB-{projectId}-")
        .split('-')
        .collect();
    assert_eq!(segments.len(), 3, "{key}");
    assert!(
        segments.iter().all(|s| s.len() == 4
            && s.bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())),
        "{key}"
    );
    assert_eq!(license["duration"], 12);
    assert_eq!(license["status"], "PENDING");
    assert_eq!(license["services"], json!(["Hosting", "Domain"]));
    assert_eq!(license["user"], USER);
    assert_eq!(license["client"], client_of(&project).as_str());
    assert_eq!(license["project"], project.as_str());
    let issued = license["issuedAt"].as_str().unwrap();
    assert!(is_iso_millis(issued), "{issued}");
    assert!(is_iso_millis(license["expiresAt"].as_str().unwrap()));
    let age = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        - chrono::DateTime::parse_from_rfc3339(issued)
            .unwrap()
            .to_utc();
    assert!(
        age.num_seconds().abs() < 120,
        "issuedAt is now, not {issued}"
    );

    let id = license["_id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(
        id.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
        "{id}"
    );
    let id_seconds = i64::from_str_radix(&id[..8], 16).unwrap();
    let issued_seconds = chrono::DateTime::parse_from_rfc3339(issued)
        .unwrap()
        .timestamp();
    assert!(
        (id_seconds - issued_seconds).abs() <= 1,
        "the ObjectId carries the creation time"
    );
}

fn the_license_is_stored_as_returned() {
    let project = new_project(USER);
    let license = create(&create_body(&project))["license"].clone();
    let stored = stored_licenses(&project);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0], license, "the stored license is the one returned");
}

fn services_default_to_hosting_and_duplicates_are_dropped() {
    let project = new_project(USER);
    let client = client_of(&project);
    let omitted = format!(r#"{{"duration":3,"clientId":"{client}","projectId":"{project}"}}"#);
    assert_eq!(create(&omitted)["license"]["services"], json!(["Hosting"]));
    let repeated = format!(
        r#"{{"duration":3,"clientId":"{client}","projectId":"{project}","services":["Domain","Hosting","Domain"]}}"#
    );
    assert_eq!(
        create(&repeated)["license"]["services"],
        json!(["Domain", "Hosting"])
    );
    assert_eq!(count_licenses(&project), 2);
}

/// The original KeyBox signed `{userId, email, role}`, without `sub`. The suite's workers also
/// hold public keys, so they pin an issuer and audience, which the token builder adds; that a
/// secret-only deployment takes such tokens without them is `configuration::…original_keybox…`.
fn original_keybox_tokens_use_user_id_as_the_user() {
    let project = new_project("5f1d7c2e9b1e8a3d4c6b7a90");
    let token = crate::support::token_with_claims(
        json!({"userId": "5f1d7c2e9b1e8a3d4c6b7a90", "email": "dev@example.com", "role": "developer", "exp": 600}),
    );
    let reply = post_create(Some(&token), &create_body(&project));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["license"]["user"], "5f1d7c2e9b1e8a3d4c6b7a90");
}

fn expiry_is_issue_date_plus_calendar_months() {
    let project = new_project(USER);
    let client = client_of(&project);
    for months in [1u32, 5, 12] {
        let body =
            format!(r#"{{"duration":{months},"clientId":"{client}","projectId":"{project}"}}"#);
        let license = create(&body)["license"].clone();
        assert_eq!(license["duration"], months);
        let issued =
            chrono::DateTime::parse_from_rfc3339(license["issuedAt"].as_str().unwrap()).unwrap();
        let expected = issued
            .checked_add_months(chrono::Months::new(months))
            .unwrap();
        let expected = expected
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        assert_eq!(license["expiresAt"], expected.as_str(), "{months} months");
    }
}

fn every_invalid_body_gets_its_own_400_and_stores_nothing() {
    let project = new_project(USER);
    let client = client_of(&project);
    let token = token(USER);
    let ids = format!(r#""clientId":"{client}","projectId":"{project}""#);
    let cases = [
        (format!(r#"{{{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":0,{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":13,{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":1.5,{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":"12",{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":null,{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":true,{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":-1,{ids}}}"#), "Invalid duration"),
        (format!(r#"{{"duration":6,"projectId":"{project}"}}"#), "Client & Project required"),
        (r#"{"duration":6,"clientId":"60f7b3b3e6b3a72e8c8e4a1a"}"#.to_owned(), "Client & Project required"),
        (format!(r#"{{"duration":6,"clientId":"","projectId":"{project}"}}"#), "Client & Project required"),
        (format!(r#"{{"duration":6,"clientId":null,"projectId":"{project}"}}"#), "Client & Project required"),
        (format!(r#"{{"duration":6,"clientId":"not-an-id","projectId":"{project}"}}"#), "Invalid clientId: expected a 24-character hex ObjectId"),
        (r#"{"duration":6,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1"}"#.to_owned(), "Invalid projectId: expected a 24-character hex ObjectId"),
        (format!(r#"{{"duration":6,{ids},"services":[]}}"#), "Invalid services: expected a non-empty array of \"Hosting\" and/or \"Domain\""),
        (format!(r#"{{"duration":6,{ids},"services":["Email"]}}"#), "Invalid services: expected a non-empty array of \"Hosting\" and/or \"Domain\""),
        (format!(r#"{{"duration":6,{ids},"services":"Hosting"}}"#), "Invalid services: expected a non-empty array of \"Hosting\" and/or \"Domain\""),
        (r#"{"duration":6,"#.to_owned(), "Malformed JSON body"),
        ("duration=6".to_owned(), "Malformed JSON body"),
        (format!(r#"[{{"duration":6,{ids}}}]"#), "Request body must be a JSON object"),
        (format!(r#"{{"duration":6,"duration":7,{ids}}}"#), "Duplicate field in JSON body"),
    ];
    for (body, message) in cases {
        post_create(Some(&token), &body).assert_message(400, message);
    }
    assert_eq!(
        count_licenses(&project),
        0,
        "a refused request stores nothing"
    );
}

fn checks_run_in_the_original_servers_order() {
    let garbage = r#"{"duration":0}"#;
    post_create(None, garbage).assert_message(401, "No token provided");
    let bad = post_create(Some("not-a-token"), garbage);
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["message"], "Unauthorized");
    let token = token("u");
    post_create(Some(&token), r#"{"duration":0}"#).assert_message(400, "Invalid duration");
    post_create(Some(&token), r#"{"duration":2,"clientId":"x"}"#)
        .assert_message(400, "Client & Project required");
}

fn a_body_over_16_kib_is_refused_with_413() {
    let project = random_object_id();
    let padding = "x".repeat(17 * 1024);
    let body = format!(
        r#"{{"duration":6,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"{project}","pad":"{padding}"}}"#
    );
    post_create(Some(&token("u")), &body)
        .assert_message(413, "Request body too large (limit 16 KiB)");
    post_create(None, &body).assert_message(401, "No token provided");
    assert_eq!(count_licenses(&project), 0);
}

fn an_empty_body_is_an_invalid_duration() {
    post_create(Some(&token("u")), "").assert_message(400, "Invalid duration");
}
