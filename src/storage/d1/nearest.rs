//! Validate's read on D1, through the Sessions API: a session opened with
//! `withSession("first-unconstrained")` may send its first query to any copy of the database,
//! so with read replication on, the nearest replica answers. Every other statement of the
//! store goes through the plain binding, which Cloudflare documents as the primary only
//! (docs/consistency.md).
//!
//! The session, the statement and the answer's fields are handled by `driver.js` in one call
//! from wasm (each was a crossing of its own: `docs/performance.md`); a throwing `prepare` is
//! a rejected promise, so an error rather than `worker`'s `unwrap`. The row is read as every
//! other license row is (`LicenseRow`'s columns through the one field reader).

use super::lifecycle::FIND_BY_KEY;
use super::nearest_rows::NearestAnswer;
use super::rows::{FromRow, LicenseRow};
use super::store::{failed, js_nearest_row, text_of, D1Store};
use crate::domain::fields::read_object;
use crate::storage::{NearestRead, StoreError};

const OPERATION: &str = "find license (nearest copy)";

impl D1Store {
    /// License `key` from the nearest copy: one query, through a session that lives for this
    /// read only (`driver.js`'s `nearestRow`, one call into JS).
    pub(super) async fn nearest_license(&self, key: &str) -> Result<NearestRead, StoreError> {
        let answer = text_of(js_nearest_row(self.binding(), FIND_BY_KEY, key))
            .await
            .map_err(failed(OPERATION))?;
        let answer = NearestAnswer::parse(&answer);
        let license = match answer.row {
            None => None,
            Some(json) => {
                let row = read_object(json.as_bytes(), LicenseRow::COLUMNS)
                    .map_err(|e| failed(OPERATION)(format!("unreadable licenses row: {e}")))
                    .and_then(|row| LicenseRow::from_row(row).map_err(failed(OPERATION)))?;
                Some(row.into_license().map_err(failed(OPERATION))?)
            }
        };
        Ok(NearestRead {
            license,
            may_lag: answer.may_lag,
        })
    }
}
