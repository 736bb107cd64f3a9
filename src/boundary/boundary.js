// How the wasm awaits a promise (src/boundary/mod.rs): one callback, made once per isolate, is told
// which await a promise settled for, instead of two closures made, registered for finalization
// and destroyed on every await.

/** Calls `settle(slot, true, value)` when `promise` fulfils, `settle(slot, false, reason)` when
 * it rejects. */
export function watch(promise, slot, settle) {
  promise.then(
    (value) => settle(slot, true, value),
    (reason) => settle(slot, false, reason),
  );
}
