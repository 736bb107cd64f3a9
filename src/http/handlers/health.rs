//! `GET /health`: the worker is up. No auth, no storage.

use crate::http::ApiResponse;

pub fn handle() -> ApiResponse {
    ApiResponse::raw_json(200, r#"{"status":"ok"}"#)
}
