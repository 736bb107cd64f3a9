//! `worker::Request` in, `worker::Response` out: the one conversion to and from the runtime.

use futures_util::StreamExt;
use worker::{console_error, Headers, Request, Response};

use crate::domain::MAX_BODY_BYTES;
use crate::http::{url_origin, ApiRequest, ApiResponse, Body, RequestHeaders};

/// Copies what the API reads off `request`, body included.
pub async fn read(mut request: Request) -> ApiRequest {
    let headers = RequestHeaders::from_lookup(|name| request.headers().get(name).ok().flatten());
    let body = read_body(&mut request).await;
    let url = request.inner().url();
    // From the URL text: `worker::Url` would pull the `url` crate's IDNA tables into the wasm
    // (+100 KB gzip) for what the runtime has already normalised.
    let url_origin = url_origin(&url);
    let query = url
        .split_once('?')
        .map(|(_, rest)| rest.split('#').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    ApiRequest {
        method: request.method().to_string(),
        path: request.path(),
        query,
        headers,
        body,
        url_origin,
    }
}

/// Reads the body, stopping as soon as it passes the size limit so a huge upload never fills
/// the isolate's memory.
async fn read_body(request: &mut Request) -> Body {
    let declared = request
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|len| len.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Body::TooLarge;
    }
    if request.inner().body().is_none() {
        return Body::Bytes(Vec::new());
    }
    let Ok(mut stream) = request.stream() else {
        return Body::Bytes(Vec::new());
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        // A body the client aborted mid-way is treated like a truncated one: invalid JSON.
        let Ok(chunk) = chunk else { break };
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Body::TooLarge;
        }
        bytes.extend_from_slice(&chunk);
    }
    Body::Bytes(bytes)
}

/// Converts an [`ApiResponse`], logging the cause of a 500 (never sent to the client).
pub fn respond(response: ApiResponse) -> worker::Result<Response> {
    if let Some(cause) = &response.log {
        console_error!("{} {}", response.status, cause);
    }
    let headers = Headers::new();
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
    let body = if response.body.is_empty() {
        Response::empty()?
    } else {
        Response::ok(response.body)?
    };
    Ok(body.with_status(response.status).with_headers(headers))
}
