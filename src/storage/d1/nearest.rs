//! Validate's read on D1, through the Sessions API: a session opened with
//! `withSession("first-unconstrained")` may send its first query to any copy of the database,
//! so with read replication on, the nearest replica answers. Every other statement of the
//! store goes through the plain binding, which Cloudflare documents as the primary only
//! (docs/consistency.md).
//!
//! The session, the statement and the answer's fields are handled by `nearest.js` in one call
//! from wasm (each was a crossing of its own: `docs/performance.md`); a throwing `prepare` is
//! a rejected promise, so an error rather than `worker`'s `unwrap`. The row is read by the
//! `LicenseRow` decoder every other read uses: no new deserializer in the module.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::lifecycle::FIND_BY_KEY;
use super::nearest_rows::NearestAnswer;
use super::rows::LicenseRow;
use super::store::D1Store;
use crate::storage::{NearestRead, StoreError};

#[wasm_bindgen(module = "/src/storage/d1/nearest.js")]
extern "C" {
    #[wasm_bindgen(js_name = nearestRow)]
    fn nearest_row(db: &JsValue, sql: &str, key: &str) -> js_sys::Promise;
}

const OPERATION: &str = "find license (nearest copy)";

fn failed(detail: String) -> StoreError {
    StoreError::Unavailable {
        operation: OPERATION,
        detail,
    }
}

impl D1Store {
    /// License `key` from the nearest copy: one query, through a session that lives for this
    /// read only (`nearestRow`, one call into JS).
    pub(super) async fn nearest_license(&self, key: &str) -> Result<NearestRead, StoreError> {
        let answer = JsFuture::from(nearest_row(self.db.as_ref(), FIND_BY_KEY, key))
            .await
            .map_err(|e| failed(worker::Error::from(e).to_string()))?
            .as_string()
            .unwrap_or_default();
        let answer = NearestAnswer::parse(&answer);
        let license = match answer.row {
            None => None,
            Some(json) => {
                let row: LicenseRow = serde_json::from_str(json)
                    .map_err(|e| failed(format!("unreadable licenses row: {e}")))?;
                Some(row.into_license().map_err(failed)?)
            }
        };
        Ok(NearestRead {
            license,
            may_lag: answer.may_lag,
        })
    }
}
