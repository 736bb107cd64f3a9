//! The developer's and the scheduler's writes on D1: renewals (compare-and-set), the license
//! list (keyset pages), the expiry sweep (bounded batches). One statement each.

use super::lifecycle::COLUMNS;
use super::rows::{LicenseRow, ReturnedId};
use super::store::{failed, number, text, D1Store, Param};
use crate::domain::{format_timestamp, License, LicenseFilter, PageRequest, UserId};
use crate::storage::StoreError;
use chrono::{DateTime, Utc};

/// Applies only if status (`?3`) and expiry (`?4`) are still what the renewal was computed
/// from; an EXPIRED license comes back ACTIVE with seats, PENDING without, in the same write.
const RENEW: &str = "UPDATE licenses SET expires_at = ?5, \
    status = CASE WHEN status <> 'EXPIRED' THEN status \
        WHEN json_array_length(seats) > 0 THEN 'ACTIVE' ELSE 'PENDING' END \
    WHERE key = ?1 AND user_id = ?2 AND status = ?3 AND expires_at = ?4 \
    RETURNING id";

/// The sweep's batch: one statement, so the choice of rows and their update are atomic (a
/// license changed meanwhile is not chosen). `UPDATE … LIMIT` is not in D1's SQLite build,
/// hence the sub-select; the `(status, expires_at)` index serves it.
const EXPIRE_DUE: &str = "UPDATE licenses SET status = 'EXPIRED' \
    WHERE id IN (SELECT id FROM licenses \
        WHERE status IN ('PENDING', 'ACTIVE') AND expires_at <= ?1 LIMIT ?2) \
    RETURNING id";

impl D1Store {
    pub(super) async fn renew_license(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let values = [
            text(key),
            text(owner.as_str()),
            text(seen.status.as_str()),
            text(format_timestamp(seen.expires_at)),
            text(format_timestamp(until)),
        ];
        self.changed("renew license", RENEW, &values).await
    }

    pub(super) async fn list_licenses(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError> {
        const OPERATION: &str = "list licenses";
        let (sql, values) = list_statement(owner, filter, page);
        let rows: Vec<LicenseRow> = self.all(&sql, &values).await.map_err(failed(OPERATION))?;
        rows.into_iter()
            .map(|row| row.into_license().map_err(failed(OPERATION)))
            .collect()
    }

    pub(super) async fn expire_due_batch(
        &self,
        now: DateTime<Utc>,
        batch: u32,
    ) -> Result<u32, StoreError> {
        const OPERATION: &str = "expire due licenses";
        let values = [text(format_timestamp(now)), number(u64::from(batch))];
        let rows: Vec<ReturnedId> = self
            .all(EXPIRE_DUE, &values)
            .await
            .map_err(failed(OPERATION))?;
        Ok(u32::try_from(rows.len()).unwrap_or(u32::MAX))
    }
}

/// The list query with only the conditions asked for, so that SQLite walks the
/// `(user_id, issued_at, id)` index (migrations/0005) from the cursor down and stops after
/// `LIMIT` rows: a row-value comparison, not an `OR`, keeps the keyset a range of the index.
fn list_statement(
    owner: &UserId,
    filter: &LicenseFilter,
    page: &PageRequest,
) -> (String, Vec<Param>) {
    let mut sql = format!("SELECT {COLUMNS} FROM licenses WHERE user_id = ?1");
    let mut values = vec![text(owner.as_str())];
    let mut condition = |sql: &mut String, column: &str, value: String| {
        values.push(text(value));
        sql.push_str(&format!(" AND {column} = ?{}", values.len()));
    };
    if let Some(client) = filter.client {
        condition(&mut sql, "client_id", client.to_string());
    }
    if let Some(project) = filter.project {
        condition(&mut sql, "project_id", project.to_string());
    }
    if let Some(status) = filter.status {
        condition(&mut sql, "status", status.as_str().to_owned());
    }
    if let Some(after) = page.after {
        values.push(text(format_timestamp(after.at)));
        values.push(text(after.id.to_string()));
        let n = values.len();
        sql.push_str(&format!(" AND (issued_at, id) < (?{}, ?{n})", n - 1));
    }
    values.push(number(page.fetch() as u64));
    sql.push_str(&format!(
        " ORDER BY issued_at DESC, id DESC LIMIT ?{}",
        values.len()
    ));
    (sql, values)
}
