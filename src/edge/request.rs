//! `web_sys::Request` in, `web_sys::Response` out: the one conversion to and from the runtime.
//! The raw types, not `worker::Request`/`Response`: those copy the request's `cf` object and
//! wrap the body in a stream adapter on every call, work the answer does not need.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ReadableStreamDefaultReader, Request, Response};

use crate::boundary::settle;
use crate::domain::MAX_BODY_BYTES;
use crate::http::wire::{join_headers, Head};
use crate::http::{url_origin, url_path_and_query, ApiRequest, ApiResponse, Body, RequestHeaders};

#[wasm_bindgen(module = "/src/edge/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = requestHead)]
    fn request_head(request: &Request, names: &Array) -> String;
    #[wasm_bindgen(js_name = response)]
    fn new_response(status: u16, body: Option<&str>, headers: &str) -> Response;
}

/// The headers read off every request: the API's, then the body's declared length.
const CONTENT_LENGTH: usize = RequestHeaders::NAMES.len();

thread_local! {
    /// [`RequestHeaders::NAMES`] and `content-length` as a JS array, made once per isolate.
    static NAMES: Array = RequestHeaders::NAMES
        .iter()
        .chain(&["content-length"])
        .map(|name| JsValue::from_str(name))
        .collect();
}

/// Copies what the API reads off `request`, body included: the method, the URL and the
/// headers in one call (`requestHead`), then the body.
pub async fn read(request: Request) -> ApiRequest {
    let text = NAMES.with(|names| request_head(&request, names));
    let head = Head::parse(&text).unwrap_or(Head::EMPTY);
    let headers = RequestHeaders::from_lookup(|name| {
        let index = RequestHeaders::NAMES.iter().position(|n| *n == name)?;
        head.value(index).map(str::to_owned)
    });
    let body = read_body(&request, head.value(CONTENT_LENGTH)).await;
    // From the URL text: `worker::Url` would pull the `url` crate's IDNA tables into the wasm
    // (+100 KB gzip) for what the runtime has already normalised.
    let (path, query) = url_path_and_query(head.url);
    ApiRequest {
        method: head.method.to_owned(),
        path,
        query,
        headers,
        body,
        url_origin: url_origin(head.url),
    }
}

/// Reads the body. With a declared length (the runtime holds the body to it) in one
/// `arrayBuffer()` call; without one (chunked), chunk by chunk, stopping as soon as it passes
/// the size limit so a huge upload never fills the isolate's memory.
async fn read_body(request: &Request, content_length: Option<&str>) -> Body {
    let declared = content_length.and_then(|len| len.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Body::TooLarge;
    }
    let Some(stream) = request.body() else {
        return Body::Bytes(Vec::new());
    };
    if declared.is_some() {
        let Ok(promise) = request.array_buffer() else {
            return Body::Bytes(Vec::new());
        };
        // A body the client aborted mid-way is treated like a truncated one: invalid JSON.
        return match settle(&promise).await {
            Ok(buffer) => Body::Bytes(Uint8Array::new(&buffer).to_vec()),
            Err(_) => Body::Bytes(Vec::new()),
        };
    }
    let Ok(reader) = stream
        .get_reader()
        .dyn_into::<ReadableStreamDefaultReader>()
    else {
        return Body::Bytes(Vec::new());
    };
    let mut bytes = Vec::new();
    loop {
        let Ok(chunk) = settle(&reader.read()).await else {
            break;
        };
        let done = Reflect::get(&chunk, &JsValue::from_str("done")).ok();
        if done.and_then(|d| d.as_bool()) != Some(false) {
            break;
        }
        let Ok(value) = Reflect::get(&chunk, &JsValue::from_str("value")) else {
            break;
        };
        let chunk = Uint8Array::new(&value);
        if bytes.len() + chunk.length() as usize > MAX_BODY_BYTES {
            // Stop reading; the runtime discards the rest.
            let _ = reader.cancel();
            return Body::TooLarge;
        }
        bytes.extend_from_slice(&chunk.to_vec());
    }
    Body::Bytes(bytes)
}

/// Converts an [`ApiResponse`] into one `Response` in one call (`response`, headers in one
/// text), logging the cause of a 500 (never sent to the client).
pub fn respond(response: ApiResponse) -> Response {
    if let Some(cause) = &response.log {
        web_sys::console::error_1(&format!("{} {}", response.status, cause).into());
    }
    let common = ApiResponse::COMMON_HEADERS.into_iter().filter(|(name, _)| {
        // A response may override a common header (the JWKS is cacheable, unlike licenses).
        !(response.body.is_empty() && *name == "content-type") && response.header(name).is_none()
    });
    let own = response.headers.iter().map(|(n, v)| (*n, v.as_str()));
    let headers = join_headers(common.chain(own));
    let body = (!response.body.is_empty()).then_some(response.body.as_str());
    new_response(response.status, body, &headers)
}
