// How the wasm awaits a promise (src/boundary/mod.rs): one callback, made once per isolate, is
// told which await a promise settled for, instead of two closures made, registered for
// finalization and destroyed on every await.

/** Calls `settle(slot, true, value)` when `promise` fulfils, `settle(slot, false, reason)` when
 * it rejects. */
export function watch(promise, slot, settle) {
  promise.then(
    (value) => report(settle, slot, true, value),
    (reason) => report(settle, slot, false, reason),
  );
}

/** `settle` resumes the awaiting task. A trap in it (a Rust panic) is rethrown from a microtask,
 * where it reaches the worker's `error` listener (build-support/shim.js), which resets the
 * instance, rather than only rejecting the promise `then` returned. */
function report(settle, slot, fulfilled, value) {
  try {
    settle(slot, fulfilled, value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
