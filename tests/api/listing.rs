//! `GET /licenses`: the caller's licenses newest first by `(issuedAt, _id)`, in keyset pages
//! that never repeat or skip a license (even while new ones are created), filtered by client,
//! project and status; nobody else's.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::support::licenses::{activate, developer, issue_license, key_of};
use crate::support::{call, new_client, random_object_id};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        seven_licenses_in_pages_of_three_come_newest_first_without_duplicates_or_gaps,
        licenses_created_between_pages_never_shift_the_later_pages,
        filters_narrow_the_list_by_project_client_and_status,
        each_listed_license_is_the_developers_view_with_its_seats,
        another_developer_lists_none_of_them,
        bad_query_parameters_are_400_with_a_message,
    ]
}

/// A developer of their own, so that the list holds only this test's licenses.
fn fresh_developer() -> String {
    format!("auth0|lister-{}", random_object_id())
}

/// One page: its licenses and next cursor, after checking it is a 200.
fn page(user: &str, query: &str) -> (Vec<Value>, Option<String>) {
    let reply = developer(user, "GET", &format!("/licenses{query}"), None);
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    let body = reply.json();
    let fields: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["licenses", "nextCursor"]);
    let next = body["nextCursor"].as_str().map(str::to_owned);
    (body["licenses"].as_array().unwrap().clone(), next)
}

/// Every page of `query` (which must end in a parameter) with `limit`.
fn all_pages(user: &str, query: &str, limit: u8) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = format!("?limit={limit}{query}");
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let (licenses, next) = page(user, &q);
        pages.push(licenses);
        match next {
            Some(next) => cursor = Some(next),
            None => return pages,
        }
        assert!(pages.len() < 20, "the pages never end");
    }
}

fn keys(licenses: &[Value]) -> Vec<String> {
    licenses.iter().map(key_of).collect()
}

/// Newest first: `(issuedAt, _id)` strictly decreasing.
fn assert_newest_first(licenses: &[Value]) {
    let order: Vec<(String, String)> = licenses
        .iter()
        .map(|l| {
            (
                l["issuedAt"].as_str().unwrap().into(),
                l["_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] > w[1]), "{order:?}");
}

fn seven_licenses_in_pages_of_three_come_newest_first_without_duplicates_or_gaps() {
    let user = fresh_developer();
    let issued: HashSet<String> = (0..7)
        .map(|_| key_of(&issue_license(&user, json!({}))))
        .collect();
    let pages = all_pages(&user, "", 3);
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    let listed: Vec<Value> = pages.into_iter().flatten().collect();
    assert_newest_first(&listed);
    let listed_keys = keys(&listed);
    assert_eq!(listed_keys.iter().cloned().collect::<HashSet<_>>(), issued);
    assert_eq!(listed_keys.len(), 7, "no duplicates");
}

fn licenses_created_between_pages_never_shift_the_later_pages() {
    let user = fresh_developer();
    let issued: HashSet<String> = (0..7)
        .map(|_| key_of(&issue_license(&user, json!({}))))
        .collect();
    let (first, mut cursor) = page(&user, "?limit=3");
    let mut listed = keys(&first);
    let mut newer = HashSet::new();
    while let Some(c) = cursor {
        newer.insert(key_of(&issue_license(&user, json!({}))));
        let (licenses, next) = page(&user, &format!("?limit=3&cursor={c}"));
        listed.extend(keys(&licenses));
        cursor = next;
    }
    assert_eq!(listed.len(), 7, "{listed:?}");
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), issued);
    let (fresh, _) = page(&user, "?limit=2");
    assert!(
        keys(&fresh).iter().all(|k| newer.contains(k)),
        "the new ones lead the next listing"
    );
}

fn filters_narrow_the_list_by_project_client_and_status() {
    let user = fresh_developer();
    // One client, a project for each license.
    let client = new_client(&user);
    let licenses: Vec<Value> = (0..4)
        .map(|i| {
            let body = json!({"name": format!("P{i}"), "clientId": client});
            let project =
                call(&user, "POST", "/projects", Some(&body)).json()["project"]["_id"].clone();
            issue_license(&user, json!({"clientId": client, "projectId": project}))
        })
        .collect();
    let [pending, active, revoked, _] = [0, 1, 2, 3].map(|i| key_of(&licenses[i]));
    assert_eq!(activate(&json!({"key": active})).status, 200);
    let toggled = developer(&user, "PATCH", &format!("/license/revoke/{revoked}"), None);
    assert_eq!(toggled.status, 200, "{}", toggled.body);
    let project = licenses[0]["project"].as_str().unwrap();
    assert_eq!(
        keys(&page(&user, &format!("?projectId={project}")).0),
        [pending]
    );
    assert_eq!(page(&user, &format!("?clientId={client}")).0.len(), 4);
    assert!(page(&user, &format!("?clientId={}", random_object_id()))
        .0
        .is_empty());
    assert_eq!(keys(&page(&user, "?status=ACTIVE").0), [active]);
    assert_eq!(keys(&page(&user, "?status=REVOKED").0), [revoked]);
    assert_eq!(page(&user, "?status=PENDING").0.len(), 2);
    assert!(page(&user, "?status=EXPIRED").0.is_empty());
    let both = format!("?projectId={project}&status=ACTIVE");
    assert!(page(&user, &both).0.is_empty(), "filters combine");
}

fn each_listed_license_is_the_developers_view_with_its_seats() {
    let user = fresh_developer();
    let created = issue_license(&user, json!({"maxMachines": 3}));
    let key = key_of(&created);
    activate(&json!({"key": key, "machineId": "m", "instanceId": "i"}));
    let (licenses, next) = page(&user, "");
    assert_eq!(next, None);
    let listed = &licenses[0];
    for field in [
        "key",
        "duration",
        "issuedAt",
        "expiresAt",
        "services",
        "user",
        "client",
        "project",
        "_id",
    ] {
        assert_eq!(listed[field], created[field], "{field}");
    }
    assert_eq!(
        (&listed["status"], &listed["maxMachines"]),
        (&json!("ACTIVE"), &json!(3))
    );
    assert_eq!(listed["seats"][0]["machineId"], "m");
    assert_eq!(listed["seats"][0]["instanceId"], "i");
}

fn another_developer_lists_none_of_them() {
    let owner = fresh_developer();
    let created = issue_license(&owner, json!({}));
    let stranger = fresh_developer();
    assert!(page(&stranger, "").0.is_empty());
    let project = created["project"].as_str().unwrap();
    assert!(page(&stranger, &format!("?projectId={project}"))
        .0
        .is_empty());
    assert_eq!(page(&owner, "").0.len(), 1);
}

fn bad_query_parameters_are_400_with_a_message() {
    let user = fresh_developer();
    let cases = [
        (
            "?status=active",
            "Invalid status: expected PENDING, ACTIVE, EXPIRED or REVOKED",
        ),
        (
            "?status=DELETED",
            "Invalid status: expected PENDING, ACTIVE, EXPIRED or REVOKED",
        ),
        (
            "?status=",
            "Invalid status: expected PENDING, ACTIVE, EXPIRED or REVOKED",
        ),
        (
            "?clientId=nope",
            "Invalid clientId: expected a 24-character hex ObjectId",
        ),
        (
            "?projectId=%7B%22%24ne%22%3Anull%7D",
            "Invalid projectId: expected a 24-character hex ObjectId",
        ),
        (
            "?limit=0",
            "Invalid limit: expected an integer from 1 to 100",
        ),
        (
            "?limit=101",
            "Invalid limit: expected an integer from 1 to 100",
        ),
        (
            "?limit=ten",
            "Invalid limit: expected an integer from 1 to 100",
        ),
        ("?cursor=not-a-cursor", "Invalid cursor"),
    ];
    for (query, message) in cases {
        developer(&user, "GET", &format!("/licenses{query}"), None).assert_message(400, message);
    }
    let anonymous = crate::support::request("GET", "/licenses", &[], None);
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
}
