//! The Workers edge: `worker::Request` in, `worker::Response` out. Nothing else here.

use futures_util::StreamExt;
use worker::{console_error, Headers, Request, Response};

use super::{ApiResponse, Body};
use crate::domain::MAX_BODY_BYTES;

/// Reads the body, stopping as soon as it passes the size limit so a huge upload
/// never fills the isolate's memory.
pub async fn read_body(request: &mut Request) -> Body {
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
pub fn into_worker_response(response: ApiResponse) -> worker::Result<Response> {
    if let Some(cause) = &response.log {
        console_error!("{} {}", response.status, cause);
    }
    let headers = Headers::new();
    for (name, value) in ApiResponse::COMMON_HEADERS {
        headers.set(name, value)?;
    }
    for (name, value) in &response.headers {
        headers.set(name, value)?;
    }
    Ok(Response::ok(response.body)?
        .with_status(response.status)
        .with_headers(headers))
}
