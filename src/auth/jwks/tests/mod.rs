//! The JWKS policy against a fake provider: what a document yields (`documents.rs`), when the
//! cache asks the provider (`cache_policy.rs`), and how concurrent callers share one request
//! (`single_flight.rs`).

mod cache_policy;
mod documents;
mod single_flight;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::auth::keys::Alg;
use crate::auth::testing::public_jwk;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn jwks(kids: &[&str]) -> String {
    let keys: Vec<_> = kids.iter().map(|kid| public_jwk(Alg::EdDsa, kid)).collect();
    json!({ "keys": keys }).to_string()
}

/// A provider whose answer the test changes, counting requests; plus a shared copy. While
/// `held`, a request to the provider stays under way (pending) until the test releases it.
#[derive(Default)]
struct FakeOrigin {
    body: RefCell<Option<String>>,
    cache_control: RefCell<Option<String>>,
    fetches: Cell<u32>,
    held: Cell<bool>,
    shared: RefCell<Option<JwksDocument>>,
    shared_ttl: Cell<Option<TimeDelta>>,
}

impl FakeOrigin {
    fn serving(kids: &[&str]) -> Self {
        let origin = Self::default();
        origin.serve(kids);
        origin
    }
    fn serve(&self, kids: &[&str]) {
        *self.body.borrow_mut() = Some(jwks(kids));
    }
    fn go_down(&self) {
        *self.body.borrow_mut() = None;
    }
    fn hold(&self) {
        self.held.set(true);
    }
    fn release(&self) {
        self.held.set(false);
    }
}

/// Pending while the origin is held.
struct Released<'a>(&'a Cell<bool>);

impl Future for Released<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0.get() {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

impl JwksOrigin for FakeOrigin {
    async fn shared(&self) -> Option<JwksDocument> {
        self.shared.borrow().clone()
    }
    async fn fetch(&self) -> Option<JwksDocument> {
        self.fetches.set(self.fetches.get() + 1);
        Released(&self.held).await;
        Some(JwksDocument {
            body: self.body.borrow().clone()?,
            cache_control: self.cache_control.borrow().clone(),
        })
    }
    async fn share(&self, document: &JwksDocument, ttl: TimeDelta) {
        *self.shared.borrow_mut() = Some(document.clone());
        self.shared_ttl.set(Some(ttl));
    }
}

fn kid_list(keys: &[Key]) -> Vec<String> {
    keys.iter()
        .map(|k| k.kid.clone().unwrap_or_default())
        .collect()
}

/// The `kid`s [`keys_for`] answers with (the default policy), run to completion.
fn kids(
    cache: &RefCell<JwksCache>,
    origin: &FakeOrigin,
    kid: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, KeysUnavailable> {
    let keys = pollster::block_on(keys_for(cache, origin, &JwksPolicy::default(), kid, now))?;
    Ok(kid_list(&keys))
}
