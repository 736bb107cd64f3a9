//! `web_sys::Request` in, `web_sys::Response` out: the one conversion to and from the runtime.
//! The raw types, not `worker::Request`/`Response`: those copy the request's `cf` object and
//! wrap the body in a stream adapter on every call, work the answer does not need.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStreamDefaultReader, Request, Response, ResponseInit};

use crate::domain::MAX_BODY_BYTES;
use crate::http::{url_origin, url_path_and_query, ApiRequest, ApiResponse, Body, RequestHeaders};

/// Copies what the API reads off `request`, body included.
pub async fn read(request: Request) -> ApiRequest {
    let request_headers = request.headers();
    let headers = RequestHeaders::from_lookup(|name| request_headers.get(name).ok().flatten());
    let body = read_body(&request, &request_headers).await;
    // From the URL text: `worker::Url` would pull the `url` crate's IDNA tables into the wasm
    // (+100 KB gzip) for what the runtime has already normalised.
    let url = request.url();
    let (path, query) = url_path_and_query(&url);
    ApiRequest {
        method: request.method(),
        path,
        query,
        headers,
        body,
        url_origin: url_origin(&url),
    }
}

/// Reads the body. With a declared length (the runtime holds the body to it) in one
/// `arrayBuffer()` call; without one (chunked), chunk by chunk, stopping as soon as it passes
/// the size limit so a huge upload never fills the isolate's memory.
async fn read_body(request: &Request, headers: &Headers) -> Body {
    let declared = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|len| len.trim().parse::<u64>().ok());
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
        return match JsFuture::from(promise).await {
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
        let Ok(chunk) = JsFuture::from(reader.read()).await else {
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

/// Converts an [`ApiResponse`] into one `Response` built from one `ResponseInit`, logging the
/// cause of a 500 (never sent to the client).
pub fn respond(response: ApiResponse) -> Result<Response, JsValue> {
    if let Some(cause) = &response.log {
        web_sys::console::error_1(&format!("{} {}", response.status, cause).into());
    }
    let headers = Headers::new()?;
    for (name, value) in ApiResponse::COMMON_HEADERS {
        // A response may override a common header (the JWKS is cacheable, unlike licenses).
        if !(response.body.is_empty() && name == "content-type") && response.header(name).is_none()
        {
            headers.set(name, value)?;
        }
    }
    for (name, value) in &response.headers {
        headers.set(name, value)?;
    }
    let init = ResponseInit::new();
    init.set_status(response.status);
    init.set_headers(headers.unchecked_ref::<Object>());
    let body = (!response.body.is_empty()).then_some(response.body.as_str());
    Response::new_with_opt_str_and_init(body, &init)
}
