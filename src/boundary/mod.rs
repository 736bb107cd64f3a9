//! Awaiting promises at the wasm boundary: the runtime's (the body, WebCrypto, the rate limiter)
//! and those of the JS modules (`edge/*.js`, `storage/d1/driver.js`), which resolve to one text
//! (or `null`) and reject with their reason as text.
//!
//! [`settle`] stands in for `JsFuture`, which makes two Rust closures per await (the promise's
//! `then` callbacks), each a JS function registered for finalization and destroyed after one
//! call. Here one callback, made once per isolate, is handed to `boundary.js`, which calls it
//! with the slot of the await its promise settled for ([`slots`], pure and natively tested).
//!
//! [`spawn`] runs a request's future as a task of its own. It is polled at once, then straight
//! from that callback when a promise it awaits settles; wasm-bindgen's executor would first
//! queue a microtask (`queueMicrotask`, then its queue) at the start and after every await.
//! Any other wake (a future waking itself, a waker kept elsewhere) goes through a microtask.

mod slots;

#[cfg(target_arch = "wasm32")]
pub use promise::{settle, settled, spawn};

#[cfg(target_arch = "wasm32")]
mod promise {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    use js_sys::Promise;
    use wasm_bindgen::prelude::{wasm_bindgen, Closure};
    use wasm_bindgen::JsValue;

    use super::slots::Slots;

    #[wasm_bindgen(module = "/src/boundary/boundary.js")]
    extern "C" {
        fn watch(promise: &Promise, slot: u32, settle: &Closure<dyn FnMut(u32, bool, JsValue)>);
    }

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = queueMicrotask)]
        fn queue_microtask(run: &Closure<dyn FnMut()>);
    }

    type Outcome = Result<JsValue, JsValue>;

    thread_local! {
        static SLOTS: RefCell<Slots<Outcome>> = const { RefCell::new(Slots::new()) };
        /// The settle callback is waking an await (see [`super::spawn`]).
        static AT_TOP: Cell<bool> = const { Cell::new(false) };
        /// What `boundary.js` calls when a watched promise settles; made once, never freed.
        static SETTLE: Closure<dyn FnMut(u32, bool, JsValue)> =
            Closure::new(|slot, fulfilled, value| {
                let outcome = if fulfilled { Ok(value) } else { Err(value) };
                // Woken outside the borrow. A task of `spawn` is polled right here: this is a
                // promise reaction, with no poll of any task under way.
                if let Some(waker) = SLOTS.with(|slots| slots.borrow_mut().settle(slot, outcome)) {
                    AT_TOP.set(true);
                    waker.wake();
                    AT_TOP.set(false);
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

    pub use task::spawn;

    mod task {
        //! The tasks of [`spawn`]: one per request.

        use super::*;

        type Future = Pin<Box<dyn std::future::Future<Output = ()>>>;

        /// A task's future and its waker; `None` while it is being polled, or once it is done.
        type Task = Option<(Future, Waker)>;

        thread_local! {
            static TASKS: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
            static FREE: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
            /// A task is being polled: a wake now is queued, never run inside that poll.
            static POLLING: Cell<bool> = const { Cell::new(false) };
            /// Tasks woken otherwise than by a settled promise, to poll from a microtask.
            static QUEUED: RefCell<VecDeque<u32>> = const { RefCell::new(VecDeque::new()) };
            static RUN_QUEUED: Closure<dyn FnMut()> = Closure::new(|| {
                while let Some(id) = QUEUED.with(|queued| queued.borrow_mut().pop_front()) {
                    run(id);
                }
            });
        }

        /// Runs `future` as a task of its own, polled at once; the promise resolves to its output.
        pub fn spawn(future: impl std::future::Future<Output = JsValue> + 'static) -> Promise {
            let mut future = Some(future);
            Promise::new(&mut |resolve, _reject| {
                let Some(future) = future.take() else { return };
                let id = FREE
                    .with(|free| free.borrow_mut().pop())
                    .unwrap_or_else(|| {
                        TASKS.with(|tasks| {
                            let mut tasks = tasks.borrow_mut();
                            tasks.push(None);
                            (tasks.len() - 1) as u32
                        })
                    });
                let task: Future = Box::pin(async move {
                    let _ = resolve.call1(&JsValue::UNDEFINED, &future.await);
                });
                let waker = Waker::from(Arc::new(TaskId(id)));
                TASKS.with(|tasks| tasks.borrow_mut()[id as usize] = Some((task, waker)));
                run(id);
            })
        }

        /// Polls task `id` once, if it is there and not done (a stale wake finds nothing to do).
        fn run(id: u32) {
            let Some((mut future, waker)) = TASKS.with(|tasks| {
                tasks
                    .borrow_mut()
                    .get_mut(id as usize)
                    .and_then(Option::take)
            }) else {
                return;
            };
            POLLING.set(true);
            let done = future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready();
            POLLING.set(false);
            if done {
                FREE.with(|free| free.borrow_mut().push(id));
                // Dropped here, outside every borrow.
                drop(future);
            } else {
                TASKS.with(|tasks| tasks.borrow_mut()[id as usize] = Some((future, waker)));
            }
        }

        /// Names a task; as a waker, polls it (see the module's documentation for when).
        struct TaskId(u32);

        impl Wake for TaskId {
            fn wake(self: Arc<Self>) {
                self.wake_by_ref();
            }

            fn wake_by_ref(self: &Arc<Self>) {
                if AT_TOP.get() && !POLLING.get() {
                    run(self.0);
                } else {
                    let first = QUEUED.with(|queued| {
                        let mut queued = queued.borrow_mut();
                        queued.push_back(self.0);
                        queued.len() == 1
                    });
                    if first {
                        RUN_QUEUED.with(queue_microtask);
                    }
                }
            }
        }
    }
}
