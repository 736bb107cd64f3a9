//! A storage failure is a 500 in the contract's `{"error": ...}` shape, and nothing is stored.

use crate::exclusive_trials;
use crate::support::{
    count_licenses, create_body, d1_execute, post_create, random_object_id, token,
};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    exclusive_trials![a_failing_insert_is_a_500_json_error_and_leaves_no_row]
}

fn a_failing_insert_is_a_500_json_error_and_leaves_no_row() {
    let project = random_object_id();
    // A real D1 failure, scoped to this test's project so parallel tests are untouched.
    d1_execute(&format!(
        "CREATE TRIGGER fail_{project} BEFORE INSERT ON licenses WHEN NEW.project_id = '{project}' \
         BEGIN SELECT RAISE(ABORT, 'storage failure forced by the test'); END"
    ));
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

    d1_execute(&format!("DROP TRIGGER fail_{project}"));
    assert_eq!(
        post_create(Some(&token("u")), &create_body(&project)).status,
        201,
        "the store recovers"
    );
    assert_eq!(count_licenses(&project), 1);
}
