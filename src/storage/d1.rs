//! Cloudflare D1 (SQLite). The schema lives in `migrations/`.

use wasm_bindgen::JsValue;
use worker::D1Database;

use super::{LicenseStore, StoreError};
use crate::domain::{format_timestamp, License};

/// Licenses in the D1 table `licenses`.
pub struct D1Store {
    db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        Self { db }
    }
}

const INSERT_LICENSE: &str = "INSERT INTO licenses \
    (id, key, duration, issued_at, expires_at, status, services, user_id, client_id, project_id) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

impl LicenseStore for D1Store {
    async fn insert(&self, license: &License) -> Result<(), StoreError> {
        let services = serde_json::to_string(&license.services).unwrap_or_else(|_| "[]".into());
        let values = [
            JsValue::from(license.id.to_string()),
            JsValue::from(license.key.as_str()),
            JsValue::from(f64::from(license.duration.months())),
            JsValue::from(format_timestamp(license.issued_at)),
            JsValue::from(format_timestamp(license.expires_at)),
            JsValue::from(license.status.as_str()),
            JsValue::from(services),
            JsValue::from(license.user.as_str()),
            JsValue::from(license.client.to_string()),
            JsValue::from(license.project.to_string()),
        ];
        // One statement: SQLite applies all of it or none of it.
        let statement = self
            .db
            .prepare(INSERT_LICENSE)
            .bind(&values)
            .map_err(unavailable)?;
        statement.run().await.map_err(classify)?;
        Ok(())
    }
}

/// A UNIQUE violation on `key` or `id` is a collision to retry; anything else is a failure.
fn classify(error: worker::Error) -> StoreError {
    let detail = describe(&error);
    if detail.contains("UNIQUE constraint failed: licenses.key")
        || detail.contains("UNIQUE constraint failed: licenses.id")
    {
        StoreError::Duplicate
    } else {
        StoreError::Unavailable {
            operation: "insert license",
            detail,
        }
    }
}

fn unavailable(error: worker::Error) -> StoreError {
    StoreError::Unavailable {
        operation: "prepare insert",
        detail: describe(&error),
    }
}

fn describe(error: &worker::Error) -> String {
    match error {
        worker::Error::D1(e) => e.cause(),
        other => other.to_string(),
    }
}
