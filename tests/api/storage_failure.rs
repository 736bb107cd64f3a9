//! A storage failure is a 500 in the contract's `{"error": ...}` shape, and nothing is stored.

use crate::exclusive_trials;
use crate::support::{
    count_licenses, create_body, fail_inserts_of, new_project, post_create, token,
};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    exclusive_trials![a_failing_insert_is_a_500_json_error_and_stores_nothing]
}

fn a_failing_insert_is_a_500_json_error_and_stores_nothing() {
    let project = new_project("u");
    // A real storage failure (a D1 trigger, or the Data API double's 500), scoped to this
    // test's project so parallel tests are untouched.
    let failing = fail_inserts_of(&project);
    let reply = post_create(Some(&token("u")), &create_body(&project));
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({"error": "Could not store the license: the database is unavailable"})
    );
    assert!(
        !reply.body.contains("forced by the test"),
        "internals stay in the log"
    );
    assert_eq!(count_licenses(&project), 0);

    failing.recover();
    assert_eq!(
        post_create(Some(&token("u")), &create_body(&project)).status,
        201,
        "the store recovers"
    );
    assert_eq!(count_licenses(&project), 1);
}
