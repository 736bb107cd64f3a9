//! The Workers edge: `worker::Request` in, `worker::Response` out. Nothing else here.

use futures_util::StreamExt;
use worker::{console_error, Headers, Request, Response};

use super::{ApiRequest, ApiResponse, Body, CorsRequest};
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

/// The headers of `request` the API reads.
pub struct RequestHeaders {
    authorization: Option<String>,
    content_type: Option<String>,
    idempotency_key: Option<String>,
    origin: Option<String>,
    request_method: Option<String>,
    request_headers: Option<String>,
}

impl RequestHeaders {
    pub fn of(request: &Request) -> Self {
        let get = |name: &str| request.headers().get(name).ok().flatten();
        Self {
            authorization: get("authorization"),
            content_type: get("content-type"),
            idempotency_key: get("idempotency-key"),
            origin: get("origin"),
            request_method: get("access-control-request-method"),
            request_headers: get("access-control-request-headers"),
        }
    }
}

/// The fields of `request` the API reads; `body` is read separately by [`read_body`].
pub fn api_request<'a>(
    method: &'a str,
    path: &'a str,
    headers: &'a RequestHeaders,
    body: Body,
) -> ApiRequest<'a> {
    ApiRequest {
        method,
        path,
        authorization: headers.authorization.as_deref(),
        content_type: headers.content_type.as_deref(),
        idempotency_key: headers.idempotency_key.as_deref(),
        cors: CorsRequest {
            origin: headers.origin.as_deref(),
            request_method: headers.request_method.as_deref(),
            request_headers: headers.request_headers.as_deref(),
        },
        body,
    }
}

/// Converts an [`ApiResponse`], logging the cause of a 500 (never sent to the client).
pub fn into_worker_response(response: ApiResponse) -> worker::Result<Response> {
    if let Some(cause) = &response.log {
        console_error!("{} {}", response.status, cause);
    }
    let headers = Headers::new();
    for (name, value) in ApiResponse::COMMON_HEADERS {
        if !(response.body.is_empty() && name == "content-type") {
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
