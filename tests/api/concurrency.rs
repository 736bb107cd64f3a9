//! Many clients at once: every create gets its own key and id, and every one is stored.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use crate::support::{count_licenses, create_body, new_project, post_create, token};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![two_hundred_concurrent_creates_give_two_hundred_distinct_stored_licenses]
}

const CLIENTS: usize = 200;

fn two_hundred_concurrent_creates_give_two_hundred_distinct_stored_licenses() {
    let project = new_project("load-tester");
    let body = Arc::new(create_body(&project));
    let token = Arc::new(token("load-tester"));
    let start = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (body, token, start) = (body.clone(), token.clone(), start.clone());
            crate::support::spawn(move || {
                start.wait();
                post_create(Some(&token), &body)
            })
        })
        .collect();
    let mut keys = HashSet::new();
    let mut ids = HashSet::new();
    for client in clients {
        let reply = client.join().expect("client thread");
        assert_eq!(reply.status, 201, "{}", reply.body);
        let license = &reply.json()["license"];
        keys.insert(license["key"].as_str().unwrap().to_owned());
        ids.insert(license["_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(keys.len(), CLIENTS, "distinct keys");
    assert_eq!(ids.len(), CLIENTS, "distinct ids");
    assert_eq!(count_licenses(&project), CLIENTS as u64, "stored licenses");
}
