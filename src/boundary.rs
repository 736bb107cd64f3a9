//! Awaiting the JS modules at the wasm boundary (`edge/*.js`, `storage/d1/driver.js`; wasm
//! only). Their promises resolve to one text (or `null`) and reject with their reason as text.

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

/// What `promise` settled to: `Ok(None)` for `null` or `undefined`, `Ok(Some(text))` for a text,
/// `Err(reason)` when it rejected.
pub async fn settled(promise: Promise) -> Result<Option<String>, String> {
    match JsFuture::from(promise).await {
        Ok(value) => Ok(value.as_string()),
        Err(reason) => Err(reason
            .as_string()
            .unwrap_or_else(|| "no reason given".into())),
    }
}
