//! The JWKS cache policy, pure: when to use cached keys, when to go to the provider, what to do
//! when it is down, and how concurrent requests share one provider request. The worker supplies
//! a [`JwksOrigin`] (HTTP fetch and the Cache API) and the clock; tests supply fakes.
//!
//! Whatever the provider sends (document, `Cache-Control`), nothing here panics: a bad answer is
//! an outage, and the keys cached so far keep working.

mod cache;

pub use cache::{JwksCache, Plan};

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};

use super::keys::{keys_from_jwks, Key};
use super::KeysUnavailable;

/// A JWKS larger than this is refused (real ones hold a handful of keys: a few KiB).
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Timing rules of the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksPolicy {
    /// At most one request to the provider per this interval, whatever the tokens say: a
    /// flood of unknown `kid`s, or an outage, never hammers the provider. A request under way
    /// for longer no longer holds other callers back.
    pub min_refetch: TimeDelta,
    /// Freshness when the provider sends no `max-age`.
    pub default_ttl: TimeDelta,
    /// Bounds applied to the provider's `max-age`.
    pub min_ttl: TimeDelta,
    pub max_ttl: TimeDelta,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        Self {
            min_refetch: TimeDelta::seconds(30),
            default_ttl: TimeDelta::minutes(10),
            min_ttl: TimeDelta::minutes(1),
            max_ttl: TimeDelta::hours(24),
        }
    }
}

impl JwksPolicy {
    /// How long a JWKS stays fresh, from its `Cache-Control`: `max-age` (or `s-maxage`)
    /// clamped to `[min_ttl, max_ttl]`; `no-store`/`no-cache` mean the minimum; a value that
    /// is not delta-seconds is ignored.
    pub fn ttl(&self, cache_control: Option<&str>) -> TimeDelta {
        let Some(header) = cache_control else {
            return self.default_ttl;
        };
        let mut max_age = None;
        for directive in header.split(',').map(|d| d.trim().to_ascii_lowercase()) {
            if directive == "no-store" || directive == "no-cache" {
                return self.min_ttl;
            }
            if let Some((name, value)) = directive.split_once('=') {
                if name.trim() == "max-age" || name.trim() == "s-maxage" {
                    max_age = delta_seconds(value.trim().trim_matches('"')).or(max_age);
                }
            }
        }
        let Some(seconds) = max_age else {
            return self.default_ttl;
        };
        // Clamped as an integer: TimeDelta's range is smaller than u64 seconds (and
        // TimeDelta::seconds panics beyond it).
        let seconds = seconds
            .min(self.max_ttl.num_seconds().max(0) as u64)
            .max(self.min_ttl.num_seconds().max(0) as u64);
        TimeDelta::try_seconds(seconds as i64).unwrap_or(self.max_ttl)
    }
}

/// RFC 9111 §1.2.2 delta-seconds: digits only; a value too large for an integer means "a very
/// long time", not an error.
fn delta_seconds(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse().unwrap_or(u64::MAX))
}

/// A JWKS body as received, with its `Cache-Control`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksDocument {
    pub body: String,
    pub cache_control: Option<String>,
}

impl JwksDocument {
    /// The keys KeyBox can use and how long they stay fresh under `policy`; `None` when the
    /// document is too large or has no usable key (then it counts as an outage).
    pub fn parse(&self, policy: &JwksPolicy) -> Option<(Vec<Key>, TimeDelta)> {
        if self.body.len() > MAX_JWKS_BYTES {
            return None;
        }
        let keys = keys_from_jwks(&self.body).ok().filter(|k| !k.is_empty())?;
        Some((keys, policy.ttl(self.cache_control.as_deref())))
    }
}

/// Where JWKS documents come from.
#[allow(async_fn_in_trait)]
pub trait JwksOrigin {
    /// A copy shared between isolates (the Cache API); `None` on a miss.
    async fn shared(&self) -> Option<JwksDocument>;
    /// The provider itself (with a timeout); `None` when it is down or answers an error.
    async fn fetch(&self) -> Option<JwksDocument>;
    /// Shares a fresh document for `ttl`.
    async fn share(&self, document: &JwksDocument, ttl: TimeDelta);
}

/// The keys for a token's `kid`, following [`JwksCache::plan`]: a cold isolate first tries the
/// shared copy; the provider is asked at most once per `min_refetch`; callers that arrive while
/// a request is under way wait for it rather than fail; when it fails, the keys cached so far
/// keep working; with none, [`KeysUnavailable`].
pub async fn keys_for(
    cache: &RefCell<JwksCache>,
    origin: &impl JwksOrigin,
    policy: &JwksPolicy,
    kid: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Rc<Vec<Key>>, KeysUnavailable> {
    // Each round answers, or waits for or makes one request. A request that did not settle
    // this `kid` (the shared copy held only the first caller's) leads to one more, then the
    // rate limit decides: a few rounds always suffice.
    for _ in 0..4 {
        let plan = cache.borrow().plan(policy, kid, now);
        match plan {
            Plan::UseCached => return cache.borrow().cached(),
            Plan::Unavailable => return Err(KeysUnavailable),
            Plan::Wait => {
                let landing = cache.borrow().landing();
                if let Some(landing) = landing {
                    landing.await;
                }
            }
            Plan::Fetch => refresh(cache, origin, policy, kid, now).await,
        }
    }
    cache.borrow().cached()
}

/// One request for keys, which other callers wait for: the shared copy when the isolate has
/// none, then the provider unless the shared copy settled `kid`.
async fn refresh(
    cache: &RefCell<JwksCache>,
    origin: &impl JwksOrigin,
    policy: &JwksPolicy,
    kid: Option<&str>,
    now: DateTime<Utc>,
) {
    // Lands the flight however this ends, a cancelled request included.
    let flight = cache::Takeoff::new(cache, now);
    if cache.borrow().is_empty() {
        if let Some((keys, ttl)) = origin.shared().await.and_then(|d| d.parse(policy)) {
            cache.borrow_mut().store(keys, ttl, now);
            if cache.borrow().serves(kid, now) {
                return;
            }
        }
    }
    cache.borrow_mut().attempted(now);
    let Some(document) = origin.fetch().await else {
        return;
    };
    if let Some((keys, ttl)) = document.parse(policy) {
        cache.borrow_mut().store(keys, ttl, now);
        // The waiters need not wait for the Cache API.
        drop(flight);
        origin.share(&document, ttl).await;
    }
}

// Test keys come from native-only dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
