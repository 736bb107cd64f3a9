//! The MongoDB backend's transport: one HTTP exchange with the Data API gateway, bounded by
//! [`TIMEOUT_MS`]. It calls `fetch` through `web-sys` (the types `worker::Fetch` wraps):
//! `worker::RequestInit` links its whole `cf` properties conversion, a quarter of this
//! backend's size.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, Response, WorkerGlobalScope};

use crate::config::MongoSettings;
use crate::storage::mongo::DataApi;

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
    // Aborts the fetch and the body read alike once TIMEOUT_MS have passed.
    let deadline = AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let exchange = async {
        let headers = Headers::new()?;
        headers.set("content-type", "application/ejson")?;
        headers.set("accept", "application/ejson")?;
        headers.set("api-key", &settings.api_key)?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
        init.set_signal(Some(&deadline));
        let global: WorkerGlobalScope = js_sys::global().unchecked_into();
        let response: Response = JsFuture::from(global.fetch_with_str_and_init(&url, &init))
            .await?
            .dyn_into()?;
        let text = JsFuture::from(response.text()?).await?;
        Ok::<_, JsValue>((response.status(), text.as_string().unwrap_or_default()))
    };
    match exchange.await {
        Ok(answer) => Ok(answer),
        Err(_) if deadline.aborted() => Err(format!(
            "{action}: no answer from the Data API within {} s",
            TIMEOUT_MS / 1000
        )),
        Err(e) => Err(format!("{action} request failed: {}", describe(&e))),
    }
}

/// A thrown JavaScript value as text (an `Error`'s message, or the value itself).
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
