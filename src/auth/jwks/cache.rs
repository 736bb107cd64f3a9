//! The isolate's cache of one JWKS, and the one provider request ("flight") that callers
//! arriving meanwhile wait for. Workers run an isolate's requests on one thread, interleaved at
//! `await`s: `Rc`, `Cell` and a list of wakers are all the sharing needs.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, TimeDelta, Utc};

use super::JwksPolicy;
use crate::auth::keys::Key;
use crate::auth::KeysUnavailable;

/// What to do for one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The cached keys answer (fresh and holding the `kid`, or the provider may not be asked).
    UseCached,
    /// Ask the provider.
    Fetch,
    /// A request is under way that may bring the keys: wait for it.
    Wait,
    /// Nothing cached and the provider may not be asked yet.
    Unavailable,
}

/// The isolate's cache of one JWKS.
#[derive(Debug, Default)]
pub struct JwksCache {
    keys: Option<Rc<Vec<Key>>>,
    expires: Option<DateTime<Utc>>,
    last_fetch: Option<DateTime<Utc>>,
    flight: Option<Rc<Flight>>,
}

impl JwksCache {
    pub fn plan(&self, policy: &JwksPolicy, kid: Option<&str>, now: DateTime<Utc>) -> Plan {
        // A flight that has not landed within `min_refetch` (its request never came back)
        // holds nobody back any longer.
        let flying = self
            .flight
            .as_ref()
            .is_some_and(|flight| now - flight.started < policy.min_refetch);
        let may_fetch = !flying
            && self
                .last_fetch
                .is_none_or(|last| now - last >= policy.min_refetch);
        if self.keys.is_none() {
            return match (flying, may_fetch) {
                (true, _) => Plan::Wait,
                (false, true) => Plan::Fetch,
                (false, false) => Plan::Unavailable,
            };
        }
        let known = self.knows(kid);
        if known && (self.is_fresh(now) || flying) {
            // Known keys past their freshness still serve while a refresh is under way.
            Plan::UseCached
        } else if flying {
            Plan::Wait
        } else if may_fetch {
            Plan::Fetch
        } else {
            Plan::UseCached
        }
    }

    /// Fresh keys that hold `kid`: no request is needed for it.
    pub fn serves(&self, kid: Option<&str>, now: DateTime<Utc>) -> bool {
        self.keys.is_some() && self.knows(kid) && self.is_fresh(now)
    }

    /// Records a provider request (whatever its outcome) for the rate limit.
    pub fn attempted(&mut self, now: DateTime<Utc>) {
        self.last_fetch = Some(now);
    }

    pub fn store(&mut self, keys: Vec<Key>, ttl: TimeDelta, now: DateTime<Utc>) {
        self.keys = Some(Rc::new(keys));
        self.expires = Some(
            now.checked_add_signed(ttl)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
    }

    pub fn cached(&self) -> Result<Rc<Vec<Key>>, KeysUnavailable> {
        self.keys.clone().ok_or(KeysUnavailable)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_none()
    }

    /// Completes when the request under way ends (at once when there is none).
    pub(super) fn landing(&self) -> Option<Landing> {
        self.flight.clone().map(Landing)
    }

    fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|expires| now < expires)
    }

    /// A key without `kid` serves any token, as in `auth::for_kid`.
    fn knows(&self, kid: Option<&str>) -> bool {
        let Some(keys) = &self.keys else {
            return false;
        };
        kid.is_none_or(|kid| {
            keys.iter()
                .any(|k| k.kid.is_none() || k.kid.as_deref() == Some(kid))
        })
    }
}

/// One request for keys in progress, and the callers waiting for it to land.
#[derive(Debug)]
pub(super) struct Flight {
    started: DateTime<Utc>,
    landed: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

impl Flight {
    fn land(&self) {
        self.landed.set(true);
        for waiter in self.waiters.take() {
            waiter.wake();
        }
    }
}

/// Waits for a [`Flight`] to land.
pub(super) struct Landing(Rc<Flight>);

impl Future for Landing {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.landed.get() {
            return Poll::Ready(());
        }
        let mut waiters = self.0.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// The caller making the request: its flight is in the cache, for others to wait for, until
/// this is dropped (the request done, or the caller cancelled), which lands it.
pub(super) struct Takeoff<'c> {
    cache: &'c RefCell<JwksCache>,
    flight: Rc<Flight>,
}

impl<'c> Takeoff<'c> {
    pub(super) fn new(cache: &'c RefCell<JwksCache>, now: DateTime<Utc>) -> Self {
        let flight = Rc::new(Flight {
            started: now,
            landed: Cell::new(false),
            waiters: RefCell::default(),
        });
        // A lost flight's waiters wake up and wait for this one instead.
        if let Some(lost) = cache.borrow_mut().flight.replace(flight.clone()) {
            lost.land();
        }
        Self { cache, flight }
    }
}

impl Drop for Takeoff<'_> {
    fn drop(&mut self) {
        // Dropped at an `await` or at the end: no borrow is held then, but a panic is no
        // answer to a surprise either.
        if let Ok(mut cache) = self.cache.try_borrow_mut() {
            if cache
                .flight
                .as_ref()
                .is_some_and(|flight| Rc::ptr_eq(flight, &self.flight))
            {
                cache.flight = None;
            }
        }
        self.flight.land();
    }
}
