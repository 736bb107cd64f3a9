//! Validate's read on D1, through the Sessions API: a session opened with
//! `withSession("first-unconstrained")` may send its first query to any copy of the database,
//! so with read replication on, the nearest replica answers. Every other statement of the
//! store goes through the plain binding, which Cloudflare documents as the primary only
//! (docs/consistency.md).
//!
//! Straight to the `worker_sys` binding rather than `worker::D1Database::with_session`: the
//! SQL passes as a `&str` (no `String` made for it) and a throwing `prepare` is an error
//! rather than `worker`'s `unwrap`. The answer's two fields are read with `Reflect` and the row
//! with the `LicenseRow` decoder every other read uses: no new deserializer in the module.

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::worker_sys::types::D1Database as Binding;

use super::lifecycle::FIND_BY_KEY;
use super::nearest_rows::may_lag;
use super::rows::LicenseRow;
use super::store::D1Store;
use crate::storage::{NearestRead, StoreError};

/// The session constraint of validate's read: the first (and only) query may go anywhere.
const ANY_COPY: &str = "first-unconstrained";

const OPERATION: &str = "find license (nearest copy)";

fn failed(detail: String) -> StoreError {
    StoreError::Unavailable {
        operation: OPERATION,
        detail,
    }
}

fn failed_js(error: JsValue) -> StoreError {
    failed(worker::Error::from(error).to_string())
}

/// `object[name]`, `undefined` when `object` is not an object.
fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

impl D1Store {
    /// License `key` from the nearest copy, read with `all()` (not `first()`, which drops the
    /// `meta` that says whether the primary served it). One query; the session lives for this
    /// read only.
    pub(super) async fn nearest_license(&self, key: &str) -> Result<NearestRead, StoreError> {
        let binding: &Binding = self.db.as_ref().unchecked_ref();
        let session = binding.with_session(Some(ANY_COPY)).map_err(failed_js)?;
        let statement = session
            .session_prepare(FIND_BY_KEY)
            .and_then(|s| s.bind(Array::of1(&JsValue::from_str(key))))
            .map_err(failed_js)?;
        let promise = statement.all().map_err(failed_js)?;
        let answer = JsFuture::from(promise).await.map_err(failed_js)?;
        let served_by_primary = field(&field(&answer, "meta"), "served_by_primary").as_bool();
        let row = field(&answer, "results");
        let row = if Array::is_array(&row) {
            row.unchecked_into::<Array>().get(0)
        } else {
            JsValue::UNDEFINED
        };
        let license = if row.is_undefined() || row.is_null() {
            None
        } else {
            let json = js_sys::JSON::stringify(&row).map_err(failed_js)?;
            let json = json.as_string().unwrap_or_default();
            let row: LicenseRow = serde_json::from_str(&json)
                .map_err(|e| failed(format!("unreadable licenses row: {e}")))?;
            Some(row.into_license().map_err(failed)?)
        };
        Ok(NearestRead {
            license,
            may_lag: may_lag(served_by_primary),
        })
    }
}
