//! The D1 store: its statements, their bound values, and D1's errors read as [`StoreError`]s.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use worker::{D1Database, D1PreparedStatement};

use super::rows::LicenseRow;
use crate::domain::{format_timestamp, IdempotencyKey, IdempotencyTag, License, UserId};
use crate::storage::{IdempotentLicense, LicenseStore, StoreError};

/// Licenses in the D1 table `licenses`.
pub struct D1Store {
    pub(super) db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        Self { db }
    }

    pub(super) fn statement(
        &self,
        operation: &'static str,
        sql: &str,
        values: &[JsValue],
    ) -> Result<D1PreparedStatement, StoreError> {
        self.db
            .prepare(sql)
            .bind(values)
            .map_err(|e| unavailable(operation, &e))
    }
}

/// The ownership check is folded into the insert: `client_id` is read from the caller's
/// project under that client, so a project that is missing, another developer's or under
/// another client leaves it NULL and the statement fails its NOT NULL constraint, writing
/// nothing. Only then is the reason read (`owned.rs`): no extra round trip on success.
pub(super) const INSERT_LICENSE: &str = "INSERT INTO licenses \
    (id, key, duration, issued_at, expires_at, status, services, user_id, client_id, project_id, \
     idempotency_key, request_fingerprint, idempotency_expires_at, max_machines) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
     (SELECT client_id FROM projects WHERE id = ?10 AND owner = ?8 AND client_id = ?9), \
     ?10, ?11, ?12, ?13, ?14)";

/// The values of [`INSERT_LICENSE`] for `license`.
pub(super) fn license_values(
    license: &License,
    idempotency: Option<&IdempotencyTag>,
) -> [JsValue; 14] {
    let services = serde_json::to_string(&license.services).unwrap_or_else(|_| "[]".into());
    [
        text(license.id.to_string()),
        text(license.key.as_str()),
        JsValue::from(f64::from(license.duration.months())),
        text(format_timestamp(license.issued_at)),
        text(format_timestamp(license.expires_at)),
        text(license.status.as_str()),
        text(services),
        text(license.user.as_str()),
        text(license.client.to_string()),
        text(license.project.to_string()),
        optional(idempotency.map(|t| t.key.as_str().to_owned())),
        optional(idempotency.map(|t| t.fingerprint.as_str().to_owned())),
        optional(idempotency.map(|t| format_timestamp(t.expires_at))),
        JsValue::from(f64::from(license.max_machines.get())),
    ]
}

const FIND_IDEMPOTENT: &str = "SELECT id, key, duration, issued_at, expires_at, status, services, \
    user_id, client_id, project_id, request_fingerprint FROM licenses \
    WHERE user_id = ?1 AND idempotency_key = ?2 AND idempotency_expires_at > ?3";

const RELEASE_EXPIRED_KEY: &str = "UPDATE licenses \
    SET idempotency_key = NULL, request_fingerprint = NULL, idempotency_expires_at = NULL \
    WHERE user_id = ?1 AND idempotency_key = ?2 AND idempotency_expires_at <= ?3";

pub(super) fn text(value: impl Into<String>) -> JsValue {
    JsValue::from(value.into())
}

pub(super) fn optional(value: Option<String>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from)
}

impl LicenseStore for D1Store {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        let values = license_values(license, idempotency);
        // One statement: SQLite applies all of it (license and idempotency record) or none.
        let statement = self.statement("insert license", INSERT_LICENSE, &values)?;
        match statement.run().await.map_err(classify_insert_error) {
            Ok(_) => Ok(()),
            Err(StoreError::Refused(_)) => {
                Err(StoreError::Refused(self.license_refusal(license).await?))
            }
            Err(other) => Err(other),
        }
    }

    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError> {
        let values = [
            text(user.as_str()),
            text(key.as_str()),
            text(format_timestamp(now)),
        ];
        let statement = self.statement("find idempotent license", FIND_IDEMPOTENT, &values)?;
        let row = first_row::<LicenseRow>(&statement)
            .await
            .map_err(|detail| StoreError::Unavailable {
                operation: "find idempotent license",
                detail,
            })?;
        row.map(LicenseRow::into_idempotent)
            .transpose()
            .map_err(|detail| StoreError::Unavailable {
                operation: "read idempotent license",
                detail,
            })
    }

    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let values = [
            text(user.as_str()),
            text(key.as_str()),
            text(format_timestamp(now)),
        ];
        let statement = self.statement("release idempotency key", RELEASE_EXPIRED_KEY, &values)?;
        statement
            .run()
            .await
            .map_err(|e| unavailable("release idempotency key", &e))?;
        Ok(())
    }
}

/// The first row of a query, read through `JSON.stringify` and serde_json (already linked for
/// bodies) rather than `D1PreparedStatement::first`'s serde-wasm-bindgen, which would add its
/// own deserializer to the module.
pub(super) async fn first_row<T: serde::de::DeserializeOwned>(
    statement: &D1PreparedStatement,
) -> Result<Option<T>, String> {
    let describe_js = |e: JsValue| worker::Error::from(e).to_string();
    let promise = statement.inner().first(None).map_err(describe_js)?;
    let row = JsFuture::from(promise).await.map_err(describe_js)?;
    if row.is_null() || row.is_undefined() {
        return Ok(None);
    }
    let json = js_sys::JSON::stringify(&row).map_err(describe_js)?;
    let json = json.as_string().unwrap_or_default();
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| format!("unreadable licenses row: {e}"))
}

/// UNIQUE violations are collisions to resolve, a NULL `client_id` a project the caller may
/// not use (explained by the caller); anything else is a failure.
pub(super) fn classify_insert_error(error: worker::Error) -> StoreError {
    let detail = describe(&error);
    if detail.contains("NOT NULL constraint failed: licenses.client_id") {
        StoreError::Refused(crate::storage::Refusal::ProjectNotFound)
    } else if detail
        .contains("UNIQUE constraint failed: licenses.user_id, licenses.idempotency_key")
    {
        StoreError::IdempotencyConflict
    } else if detail.contains("UNIQUE constraint failed: licenses.key")
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

pub(super) fn unavailable(operation: &'static str, error: &worker::Error) -> StoreError {
    StoreError::Unavailable {
        operation,
        detail: describe(error),
    }
}

pub(super) fn describe(error: &worker::Error) -> String {
    match error {
        worker::Error::D1(e) => e.cause(),
        other => other.to_string(),
    }
}
