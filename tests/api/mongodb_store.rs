//! The MongoDB backend through the Data API protocol double: documents carry the original
//! Mongoose model's EJSON types, requests carry the settings, and every gateway fault is a
//! quick 500 JSON error that stores nothing and never shows the API key.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::mongodb_trials;
use crate::support::data_api_double::{Fault, SLOW_ANSWER};
use crate::support::{
    client_of, count_licenses, create_body, data_api, new_project, post_create, random_object_id,
    start_scratch_worker, token, worker, Reply,
};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    mongodb_trials![
        documents_have_the_mongoose_models_ejson_types,
        a_user_id_that_is_not_an_object_id_is_stored_as_a_string,
        a_hex_user_id_in_capitals_is_stored_as_the_string_it_is,
        inserts_are_ejson_with_the_api_key_header_and_the_configured_namespace,
        a_duplicate_key_on_the_first_insert_is_retried_with_a_fresh_key_and_id,
        a_5xx_from_the_gateway_is_a_500_and_stores_nothing,
        a_malformed_json_answer_is_a_500_and_stores_nothing,
        a_refused_api_key_is_a_500_that_never_shows_the_key,
        a_gateway_slower_than_the_timeout_is_cut_off_with_a_500,
        the_double_enforces_the_unique_key_index_and_answers_finds_in_ejson,
        a_misconfigured_storage_answers_500_naming_the_setting_not_its_value,
    ]
}

const UNAVAILABLE: &str = "Could not store the license: the database is unavailable";

fn created(reply: &Reply) -> Value {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["license"].clone()
}

fn millis(iso: &Value) -> String {
    chrono::DateTime::parse_from_rfc3339(iso.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
        .to_string()
}

fn documents_have_the_mongoose_models_ejson_types() {
    let user = "60f7b3b3e6b3a72e8c8e4a1d";
    let project = new_project(user);
    let license = created(&post_create(Some(&token(user)), &create_body(&project)));
    let documents = data_api().documents_of_project(&project);
    assert_eq!(documents.len(), 1);
    assert_eq!(
        documents[0],
        json!({
            "_id": {"$oid": license["_id"]},
            "key": license["key"],
            "duration": {"$numberInt": "12"},
            "issuedAt": {"$date": {"$numberLong": millis(&license["issuedAt"])}},
            "expiresAt": {"$date": {"$numberLong": millis(&license["expiresAt"])}},
            "status": "PENDING",
            "services": ["Hosting", "Domain"],
            "user": {"$oid": user},
            "client": {"$oid": client_of(&project)},
            "project": {"$oid": project},
            "maxMachines": {"$numberInt": "1"},
            "seats": [],
        })
    );
}

fn a_user_id_that_is_not_an_object_id_is_stored_as_a_string() {
    let project = new_project("auth0|12345");
    let license = created(&post_create(
        Some(&token("auth0|12345")),
        &create_body(&project),
    ));
    assert_eq!(license["user"], "auth0|12345");
    let documents = data_api().documents_of_project(&project);
    assert_eq!(documents[0]["user"], json!("auth0|12345"));
}

/// Only the canonical (lowercase) spelling is stored as an ObjectId: a capitalised one would
/// come back lowercased, and would be the same user as its lowercase twin.
fn a_hex_user_id_in_capitals_is_stored_as_the_string_it_is() {
    let user = "60F7B3B3E6B3A72E8C8E4A1A";
    let project = new_project(user);
    let license = created(&post_create(Some(&token(user)), &create_body(&project)));
    assert_eq!(license["user"], user);
    let documents = data_api().documents_of_project(&project);
    assert_eq!(documents[0]["user"], json!(user));
}

fn inserts_are_ejson_with_the_api_key_header_and_the_configured_namespace() {
    let project = new_project("u");
    created(&post_create(Some(&token("u")), &create_body(&project)));
    let inserts = data_api().inserts_of_project(&project);
    assert_eq!(inserts.len(), 1);
    let insert = &inserts[0];
    assert_eq!(insert.headers["api-key"], data_api().api_key);
    assert!(insert.headers["content-type"].starts_with("application/ejson"));
    assert!(insert.headers["accept"].contains("application/ejson"));
    assert_eq!(insert.body["dataSource"], "mongodb-atlas");
    assert_eq!(insert.body["database"], "keybox");
    assert_eq!(
        insert.body["collection"], "licenses",
        "MONGODB_COLLECTION defaults to licenses"
    );
}

fn a_duplicate_key_on_the_first_insert_is_retried_with_a_fresh_key_and_id() {
    let project = new_project("u");
    data_api().inject(&project, Fault::DuplicateKey, Some(1));
    let license = created(&post_create(Some(&token("u")), &create_body(&project)));
    let attempts = data_api().inserts_of_project(&project);
    assert_eq!(attempts.len(), 2, "one collision, one retry");
    let (first, second) = (&attempts[0].body["document"], &attempts[1].body["document"]);
    assert_ne!(first["key"], second["key"], "a fresh key is drawn");
    assert_ne!(first["_id"], second["_id"], "and a fresh id");
    assert_eq!(
        second["key"], license["key"],
        "the stored key is the one returned"
    );
    assert_eq!(count_licenses(&project), 1);
}

/// Creates with `fault` injected on every insert of a fresh project; checks the 500, that it
/// came within `limit`, that nothing was stored, and that the project recovers.
fn assert_fault_is_a_clean_500(fault: Fault, limit: Duration) -> Duration {
    let project = new_project("u");
    data_api().inject(&project, fault, None);
    let started = Instant::now();
    let reply = post_create(Some(&token("u")), &create_body(&project));
    let elapsed = started.elapsed();
    assert_eq!(reply.status, 500, "{fault:?}: {}", reply.body);
    assert_eq!(reply.json(), json!({ "error": UNAVAILABLE }), "{fault:?}");
    assert!(elapsed < limit, "{fault:?} took {elapsed:?}");
    assert!(!reply.body.contains(&data_api().api_key));
    assert_eq!(count_licenses(&project), 0, "{fault:?} stored nothing");
    assert_eq!(
        data_api().inserts_of_project(&project).len(),
        1,
        "{fault:?} is a failure, not a collision to retry"
    );
    data_api().clear_faults(&project);
    created(&post_create(Some(&token("u")), &create_body(&project)));
    assert_eq!(count_licenses(&project), 1, "the store recovers");
    elapsed
}

/// Under the worker's 5 s timeout: these faults are answered, not timed out.
const QUICK: Duration = Duration::from_secs(4);

fn a_5xx_from_the_gateway_is_a_500_and_stores_nothing() {
    assert_fault_is_a_clean_500(Fault::ServerError, QUICK);
}

fn a_malformed_json_answer_is_a_500_and_stores_nothing() {
    assert_fault_is_a_clean_500(Fault::MalformedJson, QUICK);
}

fn a_refused_api_key_is_a_500_that_never_shows_the_key() {
    assert_fault_is_a_clean_500(Fault::Unauthorized, QUICK);
    // The cause reaches the worker's log, the key never does.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !worker().log().contains("InvalidSession") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = worker().log();
    assert!(log.contains("InvalidSession"), "the cause is logged");
    assert!(
        !log.contains(&data_api().api_key),
        "the API key is never logged"
    );
}

fn a_gateway_slower_than_the_timeout_is_cut_off_with_a_500() {
    let elapsed = assert_fault_is_a_clean_500(Fault::SlowAnswer, SLOW_ANSWER);
    assert!(
        elapsed >= Duration::from_millis(4500),
        "the 5 s timeout, not an early failure: {elapsed:?}"
    );
}

/// The double itself, spoken to directly: what the worker relies on is really enforced.
fn the_double_enforces_the_unique_key_index_and_answers_finds_in_ejson() {
    let double = data_api();
    let project = random_object_id();
    let post = |action: &str, key: &str, body: Value| {
        let result = ureq::post(&format!("{}/action/{action}", double.base_url))
            .set("api-key", key)
            .set("Content-Type", "application/ejson")
            .set("Accept", "application/ejson")
            .send_string(&body.to_string());
        match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                let status = r.status();
                let text = r.into_string().expect("readable answer");
                (
                    status,
                    serde_json::from_str::<Value>(&text).expect("JSON answer"),
                )
            }
            Err(e) => panic!("{action}: {e}"),
        }
    };
    let namespace =
        json!({"dataSource": "mongodb-atlas", "database": "keybox", "collection": "licenses"});
    let with = |extra: Value| {
        let mut body = namespace.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let key = format!("KB-{project}-TEST-TEST-TEST");
    let document =
        |id: &str| json!({"_id": {"$oid": id}, "key": key, "project": {"$oid": project}});
    let first = random_object_id();
    let (status, answer) = post(
        "insertOne",
        &double.api_key,
        with(json!({"document": document(&first)})),
    );
    assert_eq!(
        (status, answer),
        (201, json!({"insertedId": {"$oid": first}}))
    );

    let (status, answer) = post(
        "insertOne",
        &double.api_key,
        with(json!({"document": document(&random_object_id())})),
    );
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("E11000 duplicate key error"));
    assert_eq!(count_licenses(&project), 1);

    let (status, answer) = post(
        "findOne",
        &double.api_key,
        with(json!({"filter": {"key": key}})),
    );
    assert_eq!(
        (status, &answer["document"]["_id"]),
        (200, &json!({"$oid": first}))
    );
    let (_, answer) = post(
        "find",
        &double.api_key,
        with(json!({"filter": {"project": {"$oid": project}}})),
    );
    assert_eq!(answer["documents"].as_array().unwrap().len(), 1);

    let (status, answer) = post("findOne", "wrong-key", with(json!({"filter": {}})));
    assert_eq!(status, 401);
    assert_eq!(answer["error_code"], "InvalidSession");
}

/// Workers of their own, each misconfigured once: the first request gets a 500 JSON naming the
/// setting (never a value, never a panic), and nothing reaches the gateway.
fn a_misconfigured_storage_answers_500_naming_the_setting_not_its_value() {
    let double = data_api();
    let cases = [
        (
            "mongodb-no-database",
            format!(
                "STORAGE=mongodb\nMONGODB_DATA_API_URL={}\nMONGODB_API_KEY={}\nMONGODB_DATA_SOURCE={}\n",
                double.base_url, double.api_key, double.data_source
            ),
            r#"Server misconfigured: MONGODB_DATABASE is not set (required when STORAGE is "mongodb")"#,
        ),
        (
            "unknown-storage",
            "STORAGE=postgres\n".to_string(),
            r#"Server misconfigured: STORAGE must be "d1" or "mongodb""#,
        ),
    ];
    for (name, settings, message) in cases {
        let scratch = start_scratch_worker(name, &settings).expect("a scratch worker");
        let project = random_object_id();
        let reply = ureq::post(&format!("{}/license/create", scratch.base_url()))
            .set("Authorization", &format!("Bearer {}", token("u")))
            .set("Content-Type", "application/json")
            .send_string(&create_body(&project));
        let Err(ureq::Error::Status(500, response)) = reply else {
            panic!("{name}: expected a 500, got {reply:?}");
        };
        let body = response.into_string().unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!({ "error": message }),
            "{name}"
        );
        assert!(!body.contains(&double.api_key), "{name}");
        assert!(data_api().inserts_of_project(&project).is_empty(), "{name}");
    }
}
