//! `GET /health`: the worker is up. No auth, no storage.

use serde_json::json;

use crate::http::ApiResponse;

pub fn handle() -> ApiResponse {
    ApiResponse::json(200, &json!({"status": "ok"}))
}
