//! Concurrent activations: the seat count holds under a crowd (one conditional write each).
//! Each race runs alone: beside the load tests, the shared machine can push a Data API answer
//! past the worker's 5 s timeout, a 500 that says nothing about seats.

use std::sync::{Arc, Barrier};

use serde_json::json;

use crate::exclusive_trials;
use crate::support::licenses::{activate, issue_license, key_of, stored_seats};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    exclusive_trials![
        fifty_machines_racing_for_one_seat_leave_exactly_one_winner,
        thirty_machines_racing_for_three_seats_leave_exactly_three,
    ]
}

/// `machines` clients activate `key` at once, each from its own machine: the number of wins.
fn race(key: &str, machines: usize) -> usize {
    let start = Arc::new(Barrier::new(machines));
    let clients: Vec<_> = (0..machines)
        .map(|n| {
            let (key, start) = (key.to_owned(), start.clone());
            crate::support::spawn(move || {
                start.wait();
                activate(&json!({"key": key, "machineId": format!("machine-{n}")}))
            })
        })
        .collect();
    let mut wins = 0;
    for client in clients {
        let reply = client.join().expect("client thread");
        match reply.status {
            200 => {
                assert_eq!(reply.json()["message"], "License activated successfully");
                wins += 1;
            }
            403 => assert_eq!(
                reply.json()["message"],
                "License already activated on another machine"
            ),
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    wins
}

fn fifty_machines_racing_for_one_seat_leave_exactly_one_winner() {
    let key = key_of(&issue_license("racer", json!({})));
    assert_eq!(race(&key, 50), 1);
    assert_eq!(stored_seats(&key).len(), 1);
}

fn thirty_machines_racing_for_three_seats_leave_exactly_three() {
    let key = key_of(&issue_license("racer", json!({"maxMachines": 3})));
    assert_eq!(race(&key, 30), 3);
    assert_eq!(stored_seats(&key).len(), 3);
}
