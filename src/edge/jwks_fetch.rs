//! The Workers side of JWKS: the provider fetched with a timeout, the Cache API as the copy
//! shared between isolates, and the isolate's own cache. The policy is `auth::jwks` (pure).

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::{select, Either};
use worker::{console_warn, AbortController, Cache, Delay, Fetch, Headers, Request, Response};

use crate::auth::jwks::{keys_for, JwksCache, JwksDocument, JwksOrigin};
use crate::auth::{Key, KeysUnavailable, RemoteKeys};
use crate::config::JwksSettings;

/// Header on the shared copy: when it stops being fresh (ms since the epoch).
const EXPIRES_HEADER: &str = "x-keybox-jwks-expires";

thread_local! {
    /// The isolate's cache, per JWKS URL. Created lazily by the first request that needs it
    /// (Workers forbid I/O, timers and randomness at global scope; this does none of them).
    static CACHE: RefCell<Option<(String, Rc<RefCell<JwksCache>>)>> = const { RefCell::new(None) };
}

fn isolate_cache(url: &str) -> Rc<RefCell<JwksCache>> {
    CACHE.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some((cached_url, cache)) if cached_url == url => cache.clone(),
            _ => {
                let cache = Rc::new(RefCell::new(JwksCache::default()));
                *slot = Some((url.to_owned(), cache.clone()));
                cache
            }
        }
    })
}

/// The keys of `JWT_JWKS_URL` for the request being served.
pub struct WorkerJwks<'a> {
    pub settings: Option<&'a JwksSettings>,
}

impl RemoteKeys for WorkerJwks<'_> {
    async fn keys(
        &self,
        kid: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Rc<Vec<Key>>, KeysUnavailable> {
        let Some(settings) = self.settings else {
            return Ok(Rc::default());
        };
        let cache = isolate_cache(&settings.url);
        let origin = Origin { settings, now };
        keys_for(&cache, &origin, &settings.policy, kid, now).await
    }
}

struct Origin<'a> {
    settings: &'a JwksSettings,
    now: DateTime<Utc>,
}

impl Origin<'_> {
    async fn get(&self) -> worker::Result<Option<JwksDocument>> {
        let controller = AbortController::default();
        let signal = controller.signal();
        let request = Request::new(&self.settings.url, worker::Method::Get)?;
        let fetch = Fetch::Request(request);
        let sent = std::pin::pin!(fetch.send_with_signal(&signal));
        let timeout = std::pin::pin!(Delay::from(self.settings.timeout));
        let mut response = match select(sent, timeout).await {
            Either::Left((response, _)) => response?,
            Either::Right(((), _)) => {
                controller.abort();
                console_warn!("JWKS fetch timed out after {:?}", self.settings.timeout);
                return Ok(None);
            }
        };
        if response.status_code() != 200 {
            console_warn!("JWKS endpoint answered {}", response.status_code());
            return Ok(None);
        }
        let cache_control = response.headers().get("cache-control")?;
        Ok(Some(JwksDocument {
            body: response.text().await?,
            cache_control,
        }))
    }
}

impl JwksOrigin for Origin<'_> {
    async fn shared(&self) -> Option<JwksDocument> {
        let mut response = Cache::default()
            .get(&self.settings.url, false)
            .await
            .ok()??;
        let expires: i64 = response.headers().get(EXPIRES_HEADER).ok()??.parse().ok()?;
        // Saturating: the header is read back from a cache, not trusted not to overflow.
        let remaining = expires.saturating_sub(self.now.timestamp_millis()) / 1000;
        if remaining <= 0 {
            return None;
        }
        Some(JwksDocument {
            body: response.text().await.ok()?,
            cache_control: Some(format!("max-age={remaining}")),
        })
    }

    async fn fetch(&self) -> Option<JwksDocument> {
        match self.get().await {
            Ok(document) => document,
            Err(e) => {
                console_warn!("JWKS fetch failed: {e}");
                None
            }
        }
    }

    async fn share(&self, document: &JwksDocument, ttl: TimeDelta) {
        let stored = (|| {
            let headers = Headers::new();
            headers.set("content-type", "application/json")?;
            headers.set("cache-control", &format!("max-age={}", ttl.num_seconds()))?;
            let expires = self.now.timestamp_millis() + ttl.num_milliseconds();
            headers.set(EXPIRES_HEADER, &expires.to_string())?;
            Ok::<_, worker::Error>(Response::ok(document.body.clone())?.with_headers(headers))
        })();
        let result = match stored {
            Ok(response) => Cache::default().put(&self.settings.url, response).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            console_warn!("could not share the JWKS through the Cache API: {e}");
        }
    }
}
