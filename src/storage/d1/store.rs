//! The D1 store: its statements, their bound values, and D1's errors read as [`StoreError`]s.

use chrono::{DateTime, Utc};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use worker::D1Database;

use super::params::{batch_json, params_json};
pub(super) use super::params::{number, optional, text, Param};
use super::rows::{FromRow, LicenseRow};
use crate::boundary::settled;
use crate::domain::fields::{read_array, read_object};
use crate::domain::{format_timestamp, IdempotencyKey, IdempotencyTag, License, UserId};
use crate::storage::{IdempotentLicense, LicenseStore, StoreError};

/// Licenses in the D1 table `licenses`.
pub struct D1Store {
    pub(super) db: D1Database,
}

#[wasm_bindgen(module = "/src/storage/d1/driver.js")]
extern "C" {
    #[wasm_bindgen(js_name = run)]
    fn js_run(db: &JsValue, sql: &str, params: &str) -> Promise;
    #[wasm_bindgen(js_name = first)]
    fn js_first(db: &JsValue, sql: &str, params: &str) -> Promise;
    #[wasm_bindgen(js_name = all)]
    fn js_all(db: &JsValue, sql: &str, params: &str) -> Promise;
    #[wasm_bindgen(js_name = batch)]
    fn js_batch(db: &JsValue, statements: &str) -> Promise;
    #[wasm_bindgen(js_name = nearestRow)]
    pub(super) fn js_nearest_row(db: &JsValue, sql: &str, key: &str) -> Promise;
}

/// The text a driver call resolves to (empty for none); the error is D1's reason.
pub(super) async fn text_of(promise: Promise) -> Result<String, String> {
    Ok(settled(promise).await?.unwrap_or_default())
}

/// A failure of `operation`, from D1's reason.
pub(super) fn failed(operation: &'static str) -> impl Fn(String) -> StoreError {
    move |detail| StoreError::Unavailable { operation, detail }
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        Self { db }
    }

    pub(super) fn binding(&self) -> &JsValue {
        self.db.as_ref()
    }

    /// Runs `sql` with `values`, its rows unread. The error is D1's reason.
    pub(super) async fn run(&self, sql: &str, values: &[Param]) -> Result<(), String> {
        settled(js_run(self.binding(), sql, &params_json(values)))
            .await
            .map(drop)
    }

    /// The first row of `sql` with `values`, read as `T` (its columns through the field reader
    /// request bodies use: no second deserializer in the module).
    pub(super) async fn first<T: FromRow>(
        &self,
        sql: &str,
        values: &[Param],
    ) -> Result<Option<T>, String> {
        let json = text_of(js_first(self.binding(), sql, &params_json(values))).await?;
        if json.is_empty() {
            return Ok(None);
        }
        let row =
            read_object(json.as_bytes(), T::COLUMNS).map_err(|e| format!("unreadable row: {e}"))?;
        T::from_row(row).map(Some)
    }

    /// Every row of `sql` with `values`, read as `T`.
    pub(super) async fn all<T: FromRow>(
        &self,
        sql: &str,
        values: &[Param],
    ) -> Result<Vec<T>, String> {
        let json = text_of(js_all(self.binding(), sql, &params_json(values))).await?;
        read_array(json.as_bytes(), T::COLUMNS)
            .map_err(|e| format!("unreadable rows: {e}"))?
            .into_iter()
            .map(T::from_row)
            .collect()
    }

    /// `statements` in one `batch`: one transaction, all applied or none.
    pub(super) async fn batch(&self, statements: &[(&str, &[Param])]) -> Result<(), String> {
        settled(js_batch(self.binding(), &batch_json(statements)))
            .await
            .map(drop)
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
) -> [Param; 14] {
    let services = license.services.to_json();
    [
        text(license.id.to_string()),
        text(license.key.as_str()),
        number(u64::from(license.duration.months())),
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
        number(u64::from(license.max_machines.get())),
    ]
}

const FIND_IDEMPOTENT: &str = "SELECT id, key, duration, issued_at, expires_at, status, services, \
    user_id, client_id, project_id, request_fingerprint FROM licenses \
    WHERE user_id = ?1 AND idempotency_key = ?2 AND idempotency_expires_at > ?3";

const RELEASE_EXPIRED_KEY: &str = "UPDATE licenses \
    SET idempotency_key = NULL, request_fingerprint = NULL, idempotency_expires_at = NULL \
    WHERE user_id = ?1 AND idempotency_key = ?2 AND idempotency_expires_at <= ?3";

impl LicenseStore for D1Store {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        let values = license_values(license, idempotency);
        // One statement: SQLite applies all of it (license and idempotency record) or none.
        match self
            .run(INSERT_LICENSE, &values)
            .await
            .map_err(classify_insert_error)
        {
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
        let row = self
            .first::<LicenseRow>(FIND_IDEMPOTENT, &values)
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
        self.run(RELEASE_EXPIRED_KEY, &values)
            .await
            .map_err(failed("release idempotency key"))?;
        Ok(())
    }
}

/// UNIQUE violations are collisions to resolve, a NULL `client_id` a project the caller may
/// not use (explained by the caller); anything else is a failure.
pub(super) fn classify_insert_error(detail: String) -> StoreError {
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
