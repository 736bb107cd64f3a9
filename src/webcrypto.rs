//! The runtime's WebCrypto (`crypto.subtle`), shared by the wasm-only key holders of
//! `auth::subtle` (JWT verification) and `tokens::subtle` (license-token signing): the
//! `SubtleCrypto` handle, and a key imported on its first use and kept for the isolate's life.

use std::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use web_sys::{CryptoKey, SubtleCrypto, WorkerGlobalScope};

use crate::boundary::settle;

thread_local! {
    /// `crypto.subtle`, looked up once per isolate (two calls into JS each time otherwise).
    static SUBTLE: Option<SubtleCrypto> = {
        let global: WorkerGlobalScope = js_sys::global().unchecked_into();
        global.crypto().ok().map(|crypto| crypto.subtle())
    };
}

/// `crypto.subtle` of the worker's global scope.
pub fn subtle() -> Option<SubtleCrypto> {
    SUBTLE.with(Clone::clone)
}

/// A `CryptoKey` imported once: concurrent first uses await the same import, and a key the
/// runtime refused stays refused (it is configuration, which cannot change under the isolate).
#[derive(Default)]
pub struct LazyKey {
    state: RefCell<State>,
}

#[derive(Default)]
enum State {
    #[default]
    New,
    Importing(Promise),
    Ready(CryptoKey),
    Refused,
}

impl LazyKey {
    /// The key, importing it with `import` (an `importKey` promise) on the first call.
    pub async fn get(&self, import: impl FnOnce() -> Option<Promise>) -> Option<CryptoKey> {
        let promise = {
            let mut state = self.state.borrow_mut();
            match &*state {
                State::Ready(key) => return Some(key.clone()),
                State::Refused => return None,
                State::Importing(promise) => promise.clone(),
                State::New => match import() {
                    Some(promise) => {
                        *state = State::Importing(promise.clone());
                        promise
                    }
                    None => {
                        *state = State::Refused;
                        return None;
                    }
                },
            }
        };
        let key = settle(&promise)
            .await
            .ok()
            .and_then(|key| key.dyn_into::<CryptoKey>().ok());
        *self.state.borrow_mut() = match &key {
            Some(key) => State::Ready(key.clone()),
            None => State::Refused,
        };
        key
    }
}
