//! Concurrent callers and the one provider request: an isolate serves requests interleaved at
//! `await`s, so a second request can arrive while the first waits for the provider. These
//! callers are polled by hand to arrive exactly then.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

use super::*;

/// Counts the wake-ups a caller gets: a waiter that is never woken would hang its request.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

type Answer = Result<Rc<Vec<Key>>, KeysUnavailable>;

/// One call of [`keys_for`], polled by the test; its answer is kept once it came.
struct Caller<'a> {
    call: Pin<Box<dyn Future<Output = Answer> + 'a>>,
    answer: Option<Result<Vec<String>, KeysUnavailable>>,
    wakes: Arc<Wakes>,
}

impl<'a> Caller<'a> {
    /// Calls [`keys_for`] and polls once: the call runs until it completes or waits.
    fn arrive(
        cache: &'a RefCell<JwksCache>,
        origin: &'a FakeOrigin,
        kid: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> Self {
        let policy = JwksPolicy::default();
        let call = Box::pin(async move { keys_for(cache, origin, &policy, kid, now).await });
        let mut caller = Self {
            call,
            answer: None,
            wakes: Arc::default(),
        };
        let _ = caller.poll();
        caller
    }

    fn poll(&mut self) -> Poll<Result<Vec<String>, KeysUnavailable>> {
        if self.answer.is_none() {
            let waker = Waker::from(self.wakes.clone());
            if let Poll::Ready(answer) = self.call.as_mut().poll(&mut Context::from_waker(&waker)) {
                self.answer = Some(answer.map(|keys| kid_list(&keys)));
            }
        }
        match &self.answer {
            Some(answer) => Poll::Ready(answer.clone()),
            None => Poll::Pending,
        }
    }

    fn is_waiting(&mut self) -> bool {
        self.poll().is_pending()
    }

    fn woken(&self) -> usize {
        self.wakes.0.load(Ordering::SeqCst)
    }
}

fn ms(n: i64) -> TimeDelta {
    TimeDelta::milliseconds(n)
}

#[test]
fn callers_arriving_during_a_cold_isolates_first_fetch_wait_for_it_and_succeed() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    origin.hold();
    let mut first = Caller::arrive(&cache, &origin, Some("a"), t0());
    let mut second = Caller::arrive(&cache, &origin, Some("a"), t0() + ms(40));
    let mut third = Caller::arrive(&cache, &origin, None, t0() + ms(80));
    assert!(first.is_waiting(), "the provider has not answered yet");
    assert!(
        second.is_waiting(),
        "no 503 while the first fetch is under way"
    );
    assert!(third.is_waiting());
    origin.release();
    assert_eq!(first.poll(), Poll::Ready(Ok(vec!["a".into()])));
    assert!(
        second.woken() > 0 && third.woken() > 0,
        "the waiters are woken"
    );
    assert_eq!(second.poll(), Poll::Ready(Ok(vec!["a".into()])));
    assert_eq!(third.poll(), Poll::Ready(Ok(vec!["a".into()])));
    assert_eq!(origin.fetches.get(), 1, "one request served all three");
}

#[test]
fn when_the_shared_fetch_fails_each_waiter_is_unavailable_and_the_provider_asked_once() {
    let cache = RefCell::default();
    let origin = FakeOrigin::default();
    origin.hold();
    let mut first = Caller::arrive(&cache, &origin, Some("a"), t0());
    let mut second = Caller::arrive(&cache, &origin, Some("a"), t0() + ms(40));
    assert!(second.is_waiting());
    origin.release();
    assert_eq!(first.poll(), Poll::Ready(Err(KeysUnavailable)));
    assert_eq!(second.poll(), Poll::Ready(Err(KeysUnavailable)));
    assert_eq!(origin.fetches.get(), 1);
}

#[test]
fn a_cancelled_fetch_never_leaves_its_waiters_waiting() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    origin.hold();
    let first = Caller::arrive(&cache, &origin, Some("a"), t0());
    let mut second = Caller::arrive(&cache, &origin, Some("a"), t0() + ms(40));
    assert!(second.is_waiting());
    drop(first);
    assert!(second.woken() > 0, "woken by the cancellation");
    // The provider was asked: the rate limit stands, and with nothing cached that is a 503.
    assert_eq!(second.poll(), Poll::Ready(Err(KeysUnavailable)));
    origin.release();
    assert_eq!(
        kids(&cache, &origin, Some("a"), t0() + secs(30)),
        Ok(vec!["a".into()]),
        "the next interval asks again"
    );
}

#[test]
fn known_keys_answer_at_once_while_a_refresh_is_under_way() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    kids(&cache, &origin, Some("a"), t0()).unwrap();
    let expired = t0() + TimeDelta::minutes(11);
    origin.serve(&["a", "b"]);
    origin.hold();
    let mut refresh = Caller::arrive(&cache, &origin, Some("a"), expired);
    assert!(refresh.is_waiting(), "expired keys are refetched");
    let mut known = Caller::arrive(&cache, &origin, Some("a"), expired + ms(40));
    assert_eq!(
        known.poll(),
        Poll::Ready(Ok(vec!["a".into()])),
        "no wait for a kid the cache holds"
    );
    let mut new_kid = Caller::arrive(&cache, &origin, Some("b"), expired + ms(80));
    assert!(new_kid.is_waiting(), "the refresh may bring it");
    origin.release();
    let both = Poll::Ready(Ok(vec!["a".into(), "b".into()]));
    assert_eq!(refresh.poll(), both);
    assert_eq!(new_kid.poll(), both);
    assert_eq!(origin.fetches.get(), 2);
}

#[test]
fn a_request_that_never_returns_holds_callers_back_only_for_the_refetch_interval() {
    let cache = RefCell::default();
    let origin = FakeOrigin::serving(&["a"]);
    origin.hold();
    let mut stuck = Caller::arrive(&cache, &origin, Some("a"), t0());
    let mut waiter = Caller::arrive(&cache, &origin, Some("a"), t0() + secs(10));
    assert!(waiter.is_waiting());
    let mut later = Caller::arrive(&cache, &origin, Some("a"), t0() + secs(30));
    assert!(later.is_waiting(), "a new request is under way");
    assert_eq!(origin.fetches.get(), 2);
    assert!(
        waiter.woken() > 0,
        "the lost request's waiters move to the new one"
    );
    assert!(waiter.is_waiting());
    origin.release();
    assert_eq!(later.poll(), Poll::Ready(Ok(vec!["a".into()])));
    assert_eq!(waiter.poll(), Poll::Ready(Ok(vec!["a".into()])));
    assert_eq!(stuck.poll(), Poll::Ready(Ok(vec!["a".into()])));
}
