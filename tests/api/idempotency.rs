//! `Idempotency-Key`: a retried create gets the first answer back and creates nothing more.

use std::sync::{Arc, Barrier};

use serde_json::json;

use crate::support::{count_licenses, create_body, new_project, request, spawn, token, Reply};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        a_retried_create_replays_the_same_license,
        the_same_key_with_another_body_is_refused_with_422,
        keys_belong_to_their_caller,
        a_replay_is_byte_identical_whatever_the_case_of_a_hex_user_id,
        user_ids_differing_only_in_case_are_two_users,
        concurrent_retries_with_one_key_create_exactly_one_license,
        an_unusable_key_is_a_400,
        without_a_key_every_create_is_new,
    ]
}

fn create(user: &str, key: Option<&str>, body: &str) -> Reply {
    let auth = format!("Bearer {}", token(user));
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    if let Some(key) = key {
        headers.push(("Idempotency-Key", key));
    }
    request("POST", "/license/create", &headers, Some(body.as_bytes()))
}

fn a_retried_create_replays_the_same_license() {
    let project = new_project("alice");
    let key = format!("retry-{project}");
    let first = create("alice", Some(&key), &create_body(&project));
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    for _ in 0..3 {
        let again = create("alice", Some(&key), &create_body(&project));
        assert_eq!(again.status, 201);
        assert_eq!(again.body, first.body, "the same status and body");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
    }
    assert_eq!(count_licenses(&project), 1);
}

fn the_same_key_with_another_body_is_refused_with_422() {
    let project = new_project("alice");
    let key = format!("mismatch-{project}");
    assert_eq!(
        create("alice", Some(&key), &create_body(&project)).status,
        201
    );
    let other = create_body(&project).replace("\"duration\":12", "\"duration\":6");
    create("alice", Some(&key), &other)
        .assert_message(422, "Idempotency-Key already used with a different request");
    assert_eq!(count_licenses(&project), 1);
}

fn keys_belong_to_their_caller() {
    // Each licenses a project of their own, under the same Idempotency-Key.
    let (alices, bobs) = (new_project("alice"), new_project("bob"));
    let key = format!("shared-{alices}");
    let alice = create("alice", Some(&key), &create_body(&alices));
    let bob = create("bob", Some(&key), &create_body(&bobs));
    assert_eq!((alice.status, bob.status), (201, 201));
    assert_eq!(bob.header("idempotent-replayed"), None);
    assert_ne!(alice.json()["license"]["key"], bob.json()["license"]["key"]);
    assert_eq!(count_licenses(&alices) + count_licenses(&bobs), 2);
}

/// A `sub` of 24 hex digits, as an identity provider may spell it: capitals, lowercase, mixed.
const HEX_USERS: [&str; 3] = [
    "60F7B3B3E6B3A72E8C8E4A1A",
    "60f7b3b3e6b3a72e8c8e4a1a",
    "60f7B3B3e6b3A72E8c8e4a1A",
];

fn a_replay_is_byte_identical_whatever_the_case_of_a_hex_user_id() {
    for user in HEX_USERS {
        let project = new_project(user);
        let key = format!("case-{project}");
        let first = create(user, Some(&key), &create_body(&project));
        assert_eq!(first.status, 201, "{user}: {}", first.body);
        assert_eq!(
            first.json()["license"]["user"],
            user,
            "the caller's spelling"
        );
        let replay = create(user, Some(&key), &create_body(&project));
        assert_eq!(replay.header("idempotent-replayed"), Some("true"), "{user}");
        assert_eq!(replay.status, 201, "{user}");
        assert_eq!(replay.body, first.body, "{user}: the same bytes");
        assert_eq!(count_licenses(&project), 1, "{user}");
    }
}

fn user_ids_differing_only_in_case_are_two_users() {
    // Each twin licenses a project of their own: a twin cannot see the others' projects.
    let projects: Vec<String> = HEX_USERS.iter().map(|user| new_project(user)).collect();
    let key = format!("twins-{}", projects[0]);
    let replies: Vec<Reply> = HEX_USERS
        .iter()
        .zip(&projects)
        .map(|(user, project)| create(user, Some(&key), &create_body(project)))
        .collect();
    for (user, reply) in HEX_USERS.iter().zip(&replies) {
        assert_eq!(reply.status, 201, "{user}: {}", reply.body);
        assert_eq!(
            reply.header("idempotent-replayed"),
            None,
            "{user} sees no one else's key"
        );
        assert_eq!(reply.json()["license"]["user"], *user);
    }
    let stored: u64 = projects.iter().map(|p| count_licenses(p)).sum();
    assert_eq!(stored, HEX_USERS.len() as u64);
}

fn concurrent_retries_with_one_key_create_exactly_one_license() {
    const CLIENTS: usize = 24;
    let project = new_project("racer");
    let key = Arc::new(format!("race-{project}"));
    let body = Arc::new(create_body(&project));
    let start = Arc::new(Barrier::new(CLIENTS));
    let replies: Vec<Reply> = (0..CLIENTS)
        .map(|_| {
            let (key, body, start) = (key.clone(), body.clone(), start.clone());
            spawn(move || {
                start.wait();
                create("racer", Some(&key), &body)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("client thread"))
        .collect();
    let licenses: Vec<_> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["license"].clone()
        })
        .collect();
    assert!(
        licenses.iter().all(|l| *l == licenses[0]),
        "every racer got the same license"
    );
    let originals = replies
        .iter()
        .filter(|r| r.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(originals, 1, "exactly one answer is the original");
    assert_eq!(count_licenses(&project), 1);
}

fn an_unusable_key_is_a_400() {
    let project = new_project("alice");
    for key in ["", "two words", &"k".repeat(256)] {
        let reply = create("alice", Some(key), &create_body(&project));
        assert_eq!(reply.status, 400, "{key:?}: {}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"message": "Invalid Idempotency-Key: expected 1 to 255 visible ASCII characters"})
        );
    }
    assert_eq!(count_licenses(&project), 0);
}

fn without_a_key_every_create_is_new() {
    let project = new_project("alice");
    let first = create("alice", None, &create_body(&project));
    let second = create("alice", None, &create_body(&project));
    assert_ne!(
        first.json()["license"]["key"],
        second.json()["license"]["key"]
    );
    assert_eq!(count_licenses(&project), 2);
}
