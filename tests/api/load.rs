//! Sustained load and a storage outage in the middle of it: nothing lost, nothing duplicated.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{
    count_licenses, create_body, fail_inserts_of, new_project, post_create, spawn, token, Reply,
};
use crate::{exclusive_trials, trials};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    let mut tests = trials![two_thousand_creates_over_32_connections_are_all_stored_once];
    tests.extend(exclusive_trials![
        a_storage_outage_mid_run_fails_fast_and_loses_or_duplicates_nothing
    ]);
    tests
}

const CONNECTIONS: usize = 32;

struct Outcome {
    reply: Reply,
    elapsed: Duration,
}

/// Sends `total` creates for `project` over `CONNECTIONS` threads; `on_progress` sees the count
/// of finished requests after each one (from the finishing thread).
fn run_load(
    project: &str,
    total: usize,
    on_progress: impl Fn(usize) + Send + Sync + 'static,
) -> Vec<Outcome> {
    let body = Arc::new(create_body(project));
    let token = Arc::new(token("load-tester"));
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let on_progress = Arc::new(on_progress);
    let threads: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (body, token, next, done, outcomes, on_progress) = (
                body.clone(),
                token.clone(),
                next.clone(),
                done.clone(),
                outcomes.clone(),
                on_progress.clone(),
            );
            spawn(move || {
                while next.fetch_add(1, Ordering::SeqCst) < total {
                    let started = Instant::now();
                    let reply = post_create(Some(&token), &body);
                    outcomes.lock().unwrap().push(Outcome {
                        reply,
                        elapsed: started.elapsed(),
                    });
                    on_progress(done.fetch_add(1, Ordering::SeqCst) + 1);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("load thread");
    }
    Arc::try_unwrap(outcomes)
        .ok()
        .expect("threads joined")
        .into_inner()
        .unwrap()
}

/// Asserts the created licenses have distinct keys and ids; returns how many there are.
fn distinct_created(outcomes: &[Outcome]) -> usize {
    let created: Vec<_> = outcomes
        .iter()
        .filter(|o| o.reply.status == 201)
        .map(|o| o.reply.json())
        .collect();
    let keys: HashSet<_> = created
        .iter()
        .map(|b| b["license"]["key"].as_str().unwrap().to_owned())
        .collect();
    let ids: HashSet<_> = created
        .iter()
        .map(|b| b["license"]["_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), created.len(), "distinct keys");
    assert_eq!(ids.len(), created.len(), "distinct ids");
    created.len()
}

fn two_thousand_creates_over_32_connections_are_all_stored_once() {
    let project = new_project("load-tester");
    let outcomes = run_load(&project, 2000, |_| {});
    assert_eq!(outcomes.len(), 2000);
    for outcome in &outcomes {
        assert_eq!(outcome.reply.status, 201, "{}", outcome.reply.body);
    }
    assert_eq!(distinct_created(&outcomes), 2000);
    assert_eq!(count_licenses(&project), 2000, "exactly one row per 201");
}

fn a_storage_outage_mid_run_fails_fast_and_loses_or_duplicates_nothing() {
    let project = new_project("load-tester");
    // The outage (a D1 trigger, or the Data API double failing) starts after 150 answers and
    // ends after 300 more; while a switch is thrown the other connections wait on the lock.
    let outage = Arc::new(Mutex::new((false, None)));
    let switch = outage.clone();
    let failing_project = project.clone();
    let outcomes = run_load(&project, 900, move |done| {
        let mut state = switch.lock().unwrap();
        if done >= 150 && !state.0 {
            *state = (true, Some(fail_inserts_of(&failing_project)));
        } else if done >= 450 {
            if let Some(failing) = state.1.take() {
                failing.recover();
            }
        }
    });
    let (started, still_failing) = &*outage.lock().unwrap();
    assert!(
        *started && still_failing.is_none(),
        "the outage was started and ended"
    );

    let failed: Vec<_> = outcomes.iter().filter(|o| o.reply.status != 201).collect();
    assert!(!failed.is_empty(), "the outage was seen by some requests");
    for outcome in &failed {
        assert_eq!(outcome.reply.status, 500, "{}", outcome.reply.body);
        assert_eq!(
            outcome.reply.json(),
            serde_json::json!({"error": "Could not store the license: the database is unavailable"})
        );
        assert!(
            outcome.elapsed < Duration::from_secs(5),
            "a failure answers quickly, not after {:?}",
            outcome.elapsed
        );
    }
    let created = distinct_created(&outcomes);
    assert!(
        created > 450,
        "requests before and after the outage succeeded ({created})"
    );
    assert_eq!(
        count_licenses(&project),
        created as u64,
        "stored rows equal the 201s"
    );
}
