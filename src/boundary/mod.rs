//! Awaiting promises at the wasm boundary: the runtime's (the body, WebCrypto, the rate limiter)
//! and those of the JS modules (`edge/*.js`, `storage/d1/driver.js`), which resolve to one text
//! (or `null`) and reject with their reason as text.
//!
//! [`settle`] stands in for `JsFuture`, which makes two Rust closures per await (the promise's
//! `then` callbacks), each a JS function registered for finalization and destroyed after one
//! call. Here one callback, made once per isolate, is handed to `boundary.js`, which calls it
//! with the slot of the await its promise settled for ([`slots`], pure and natively tested).

mod slots;

#[cfg(target_arch = "wasm32")]
pub use promise::{settle, settled};

#[cfg(target_arch = "wasm32")]
mod promise {
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use js_sys::Promise;
    use wasm_bindgen::prelude::{wasm_bindgen, Closure};
    use wasm_bindgen::JsValue;

    use super::slots::Slots;

    #[wasm_bindgen(module = "/src/boundary/boundary.js")]
    extern "C" {
        fn watch(promise: &Promise, slot: u32, settle: &Closure<dyn FnMut(u32, bool, JsValue)>);
    }

    type Outcome = Result<JsValue, JsValue>;

    thread_local! {
        static SLOTS: RefCell<Slots<Outcome>> = const { RefCell::new(Slots::new()) };
        /// What `boundary.js` calls when a watched promise settles; made once, never freed.
        static SETTLE: Closure<dyn FnMut(u32, bool, JsValue)> =
            Closure::new(|slot, fulfilled, value| {
                let outcome = if fulfilled { Ok(value) } else { Err(value) };
                // Woken outside the borrow: the task runs later, from the executor's queue.
                if let Some(waker) = SLOTS.with(|slots| slots.borrow_mut().settle(slot, outcome)) {
                    waker.wake();
                }
            });
    }

    /// What `promise` settled to: `Ok(None)` for `null` or `undefined`, `Ok(Some(text))` for a
    /// text, `Err(reason)` when it rejected.
    pub async fn settled(promise: Promise) -> Result<Option<String>, String> {
        match settle(&promise).await {
            Ok(value) => Ok(value.as_string()),
            Err(reason) => Err(reason
                .as_string()
                .unwrap_or_else(|| "no reason given".into())),
        }
    }

    /// `promise`'s value, or the reason it rejected with.
    pub fn settle(promise: &Promise) -> Settle {
        let slot = SLOTS.with(|slots| slots.borrow_mut().take());
        SETTLE.with(|settle| watch(promise, slot, settle));
        Settle { slot, done: false }
    }

    /// One pending [`settle`].
    pub struct Settle {
        slot: u32,
        done: bool,
    }

    impl Future for Settle {
        type Output = Outcome;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
            let slot = self.slot;
            let outcome = SLOTS.with(|slots| slots.borrow_mut().poll(slot, cx.waker()));
            self.done = outcome.is_ready();
            outcome
        }
    }

    impl Drop for Settle {
        fn drop(&mut self) {
            if !self.done {
                SLOTS.with(|slots| slots.borrow_mut().abandon(self.slot));
            }
        }
    }
}
