//! The JWKS cache policy, pure: when to use cached keys, when to go to the provider, and what
//! to do when it is down. The worker supplies a [`JwksOrigin`] (HTTP fetch and the Cache API)
//! and the clock; tests supply fakes.
//!
//! Whatever the provider sends (document, `Cache-Control`), nothing here panics: a bad answer is
//! an outage, and the keys cached so far keep working.

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
    /// flood of unknown `kid`s, or an outage, never hammers the provider.
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

/// What to do for one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The cached keys answer (fresh and holding the `kid`, or the provider may not be asked).
    UseCached,
    /// Ask the provider.
    Fetch,
    /// Nothing cached and the provider may not be asked yet.
    Unavailable,
}

/// The isolate's cache of one JWKS.
#[derive(Debug, Default)]
pub struct JwksCache {
    keys: Option<Rc<Vec<Key>>>,
    expires: Option<DateTime<Utc>>,
    last_fetch: Option<DateTime<Utc>>,
}

impl JwksCache {
    pub fn plan(&self, policy: &JwksPolicy, kid: Option<&str>, now: DateTime<Utc>) -> Plan {
        let may_fetch = self
            .last_fetch
            .is_none_or(|last| now - last >= policy.min_refetch);
        let Some(keys) = &self.keys else {
            return if may_fetch {
                Plan::Fetch
            } else {
                Plan::Unavailable
            };
        };
        let fresh = self.expires.is_some_and(|expires| now < expires);
        // A key without `kid` serves any token, as in `auth::for_kid`.
        let known = kid.is_none_or(|kid| {
            keys.iter()
                .any(|k| k.kid.is_none() || k.kid.as_deref() == Some(kid))
        });
        if (fresh && known) || !may_fetch {
            Plan::UseCached
        } else {
            Plan::Fetch
        }
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

    fn is_empty(&self) -> bool {
        self.keys.is_none()
    }
}

/// The keys for a token's `kid`, following [`JwksCache::plan`]: a cold isolate first tries the
/// shared copy; the provider is asked at most once per `min_refetch`; when it fails, the keys
/// cached so far keep working; with none, [`KeysUnavailable`].
pub async fn keys_for(
    cache: &RefCell<JwksCache>,
    origin: &impl JwksOrigin,
    policy: &JwksPolicy,
    kid: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Rc<Vec<Key>>, KeysUnavailable> {
    match cache.borrow().plan(policy, kid, now) {
        Plan::UseCached => return cache.borrow().cached(),
        Plan::Unavailable => return Err(KeysUnavailable),
        Plan::Fetch => {}
    }
    if cache.borrow().is_empty() {
        if let Some(document) = origin.shared().await {
            if let Some((keys, ttl)) = document.parse(policy) {
                cache.borrow_mut().store(keys, ttl, now);
                if cache.borrow().plan(policy, kid, now) == Plan::UseCached {
                    return cache.borrow().cached();
                }
            }
        }
    }
    cache.borrow_mut().attempted(now);
    if let Some(document) = origin.fetch().await {
        if let Some((keys, ttl)) = document.parse(policy) {
            cache.borrow_mut().store(keys, ttl, now);
            origin.share(&document, ttl).await;
        }
    }
    cache.borrow().cached()
}

// Test keys come from native-only dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
