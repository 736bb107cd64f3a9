//! The Workers side of JWKS: the provider fetched with a timeout, the Cache API as the copy
//! shared between isolates (both through `jwks.js`, one call each), and the isolate's own
//! cache. The policy is `auth::jwks` (pure).

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::auth::jwks::{keys_for, JwksCache, JwksDocument, JwksOrigin};
use crate::auth::{Key, KeysUnavailable, RemoteKeys};
use crate::boundary::settled;
use crate::config::JwksSettings;

#[wasm_bindgen(module = "/src/edge/jwks.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchJwks)]
    fn fetch_jwks(url: &str, timeout_ms: f64) -> Promise;
    #[wasm_bindgen(js_name = sharedJwks)]
    fn shared_jwks(url: &str) -> Promise;
    #[wasm_bindgen(js_name = shareJwks)]
    fn share_jwks(url: &str, body: &str, max_age_seconds: f64, expires_ms: f64) -> Promise;
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

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

impl JwksOrigin for Origin<'_> {
    async fn shared(&self) -> Option<JwksDocument> {
        let text = settled(shared_jwks(&self.settings.url)).await.ok()??;
        let (expires, body) = text.split_once('\n')?;
        let expires: i64 = expires.parse().ok()?;
        // Saturating: the header is read back from a cache, not trusted not to overflow.
        let remaining = expires.saturating_sub(self.now.timestamp_millis()) / 1000;
        if remaining <= 0 {
            return None;
        }
        Some(JwksDocument {
            body: body.to_owned(),
            cache_control: Some(format!("max-age={remaining}")),
        })
    }

    async fn fetch(&self) -> Option<JwksDocument> {
        let timeout_ms = self.settings.timeout.as_millis() as f64;
        match settled(fetch_jwks(&self.settings.url, timeout_ms)).await {
            Ok(text) => {
                let text = text?;
                let (cache_control, body) = text.split_once('\n')?;
                Some(JwksDocument {
                    body: body.to_owned(),
                    cache_control: (!cache_control.is_empty()).then(|| cache_control.to_owned()),
                })
            }
            Err(e) => {
                warn(&format!("JWKS fetch failed: {e}"));
                None
            }
        }
    }

    async fn share(&self, document: &JwksDocument, ttl: TimeDelta) {
        let expires = self.now.timestamp_millis() + ttl.num_milliseconds();
        let stored = share_jwks(
            &self.settings.url,
            &document.body,
            ttl.num_seconds() as f64,
            expires as f64,
        );
        if let Err(e) = settled(stored).await {
            warn(&format!(
                "could not share the JWKS through the Cache API: {e}"
            ));
        }
    }
}
