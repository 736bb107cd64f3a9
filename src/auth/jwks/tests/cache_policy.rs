//! When the cache answers and when it asks the provider: freshness, unknown `kid`s, the rate
//! limit, outages, and the copy shared between isolates.

use super::*;

#[test]
fn keys_are_fetched_once_and_served_from_the_isolate_cache_while_fresh() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    assert_eq!(kids(&cache, &origin, Some("a"), t0()), Ok(vec!["a".into()]));
    assert_eq!(
        kids(&cache, &origin, Some("a"), t0() + secs(300)),
        Ok(vec!["a".into()])
    );
    assert_eq!(
        kids(&cache, &origin, None, t0() + secs(599)),
        Ok(vec!["a".into()])
    );
    assert_eq!(origin.fetches.get(), 1);
    assert_eq!(
        origin.shared_ttl.get(),
        Some(TimeDelta::minutes(10)),
        "shared for its TTL"
    );
}

#[test]
fn expired_keys_are_refetched() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    *origin.cache_control.borrow_mut() = Some("max-age=120".into());
    kids(&cache, &origin, Some("a"), t0()).unwrap();
    origin.serve(&["b"]);
    assert_eq!(
        kids(&cache, &origin, None, t0() + secs(119)),
        Ok(vec!["a".into()])
    );
    assert_eq!(
        kids(&cache, &origin, None, t0() + secs(120)),
        Ok(vec!["b".into()])
    );
    assert_eq!(origin.fetches.get(), 2);
}

#[test]
fn an_unknown_kid_refetches_at_most_once_per_30_seconds() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    kids(&cache, &origin, Some("a"), t0()).unwrap();
    for second in 1..30 {
        let bogus = format!("bogus-{second}");
        assert_eq!(
            kids(&cache, &origin, Some(&bogus), t0() + secs(second)),
            Ok(vec!["a".into()]),
            "answered from the cache"
        );
    }
    assert_eq!(
        origin.fetches.get(),
        1,
        "a flood of bogus kids never reached the provider"
    );
    kids(&cache, &origin, Some("bogus"), t0() + secs(30)).unwrap();
    assert_eq!(origin.fetches.get(), 2, "one refetch after 30 s");
    kids(&cache, &origin, Some("bogus"), t0() + secs(31)).unwrap();
    assert_eq!(origin.fetches.get(), 2);
}

#[test]
fn a_rotated_key_is_found_by_the_refetch_its_new_kid_triggers() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["old"]);
    kids(&cache, &origin, Some("old"), t0()).unwrap();
    origin.serve(&["new"]);
    assert_eq!(
        kids(&cache, &origin, Some("new"), t0() + secs(45)),
        Ok(vec!["new".into()])
    );
    assert_eq!(
        kids(&cache, &origin, Some("old"), t0() + secs(50)),
        Ok(vec!["new".into()]),
        "the old kid is gone (and no refetch within 30 s)"
    );
    assert_eq!(origin.fetches.get(), 2);
}

#[test]
fn cached_keys_keep_working_while_the_provider_is_down() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    kids(&cache, &origin, Some("a"), t0()).unwrap();
    origin.go_down();
    let after_expiry = t0() + TimeDelta::minutes(11);
    assert_eq!(
        kids(&cache, &origin, Some("a"), after_expiry),
        Ok(vec!["a".into()])
    );
    assert_eq!(
        kids(&cache, &origin, Some("a"), after_expiry + secs(1)),
        Ok(vec!["a".into()])
    );
    assert_eq!(
        origin.fetches.get(),
        2,
        "the failed provider is retried at most every 30 s"
    );
    origin.serve(&["a", "b"]);
    assert_eq!(
        kids(&cache, &origin, Some("a"), after_expiry + secs(30)),
        Ok(vec!["a".into(), "b".into()]),
        "recovered"
    );
}

#[test]
fn with_no_key_ever_fetched_an_outage_is_unavailable_and_not_hammered() {
    let cache = RefCell::default();
    let origin = FakeOrigin::default();
    assert_eq!(kids(&cache, &origin, Some("a"), t0()), Err(KeysUnavailable));
    assert_eq!(
        kids(&cache, &origin, Some("a"), t0() + secs(10)),
        Err(KeysUnavailable)
    );
    assert_eq!(origin.fetches.get(), 1);
    origin.serve(&["a"]);
    assert_eq!(
        kids(&cache, &origin, Some("a"), t0() + secs(30)),
        Ok(vec!["a".into()])
    );
}

#[test]
fn a_cold_isolate_uses_the_shared_copy_before_asking_the_provider() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a", "b"]);
    *origin.shared.borrow_mut() = Some(JwksDocument {
        body: jwks(&["a"]),
        cache_control: Some("max-age=300".into()),
    });
    assert_eq!(kids(&cache, &origin, Some("a"), t0()), Ok(vec!["a".into()]));
    assert_eq!(origin.fetches.get(), 0);
    let other_cache = RefCell::default();
    assert_eq!(
        kids(&other_cache, &origin, Some("b"), t0()),
        Ok(vec!["a".into(), "b".into()]),
        "a kid missing from the shared copy goes to the provider"
    );
    assert_eq!(origin.fetches.get(), 1);
}

#[test]
fn keys_without_kid_serve_any_kid_without_refetching() {
    let cache = RefCell::default();
    let origin = FakeOrigin::default();
    let mut jwk = public_jwk(Alg::EdDsa, "x");
    jwk.as_object_mut().unwrap().remove("kid");
    *origin.body.borrow_mut() = Some(json!({ "keys": [jwk] }).to_string());
    assert_eq!(
        kids(&cache, &origin, Some("a"), t0()),
        Ok(vec![String::new()])
    );
    assert_eq!(
        kids(&cache, &origin, Some("b"), t0() + secs(31)),
        Ok(vec![String::new()])
    );
    assert_eq!(origin.fetches.get(), 1);
}
