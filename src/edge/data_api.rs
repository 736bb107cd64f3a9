//! The MongoDB backend's transport: one HTTP exchange with the Data API gateway, bounded by
//! [`TIMEOUT_MS`], made by `data_api.js` in one call (`fetch` itself, not `worker::Fetch`, whose
//! `RequestInit` links its whole `cf` conversion; and one await instead of a crossing per
//! header, the fetch and the body read).

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::boundary::settled;
use crate::config::MongoSettings;
use crate::storage::mongo::DataApi;

#[wasm_bindgen(module = "/src/edge/data_api.js")]
extern "C" {
    #[wasm_bindgen(js_name = post)]
    fn js_post(url: &str, api_key: &str, body: &str, timeout_ms: u32) -> Promise;
}

/// How long one Data API call (connect, answer and body) may take before it is aborted
/// (`AbortSignal.timeout`, created per call: Workers forbid timers at global scope).
pub const TIMEOUT_MS: u32 = 5_000;

/// The gateway `MONGODB_DATA_API_URL` names, reached with `fetch`.
pub struct FetchDataApi {
    pub settings: MongoSettings,
}

impl DataApi for FetchDataApi {
    async fn post(&self, action: &str, body: String) -> Result<(u16, String), String> {
        post(&self.settings, action, body).await
    }
}

/// Posts `body` to `action`; answers the status and body text, or what failed (network error,
/// timeout). The store redacts the API key from that text.
async fn post(
    settings: &MongoSettings,
    action: &str,
    body: String,
) -> Result<(u16, String), String> {
    let url = settings.action_url(action);
    match settled(js_post(&url, &settings.api_key, &body, TIMEOUT_MS)).await {
        Ok(text) => text
            .as_deref()
            .and_then(split_answer)
            .ok_or_else(|| format!("{action}: the Data API answer could not be read")),
        Err(reason) if reason == "timeout" => Err(format!(
            "{action}: no answer from the Data API within {} s",
            TIMEOUT_MS / 1000
        )),
        Err(reason) => Err(format!("{action} request failed: {reason}")),
    }
}

/// `status \n body`, as `data_api.js` resolves.
fn split_answer(text: &str) -> Option<(u16, String)> {
    let (status, body) = text.split_once('\n')?;
    Some((status.parse().ok()?, body.to_owned()))
}
