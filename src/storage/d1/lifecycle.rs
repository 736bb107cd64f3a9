//! [`LifecycleStore`] on D1: each change ONE conditional statement (SQLite runs a statement
//! atomically), its decision in the `WHERE`, the row written read back with `RETURNING`.
//! Seats are a JSON array in the license's row (see migrations/0004_seats.sql for why).

use chrono::{DateTime, Utc};

use super::rows::{LicenseRow, ReturnedId};
use super::store::{failed, optional, text, D1Store, Param};
use crate::domain::{format_timestamp, License, LicenseFilter, PageRequest, SeatRef, UserId};
use crate::storage::{LifecycleStore, NearestRead, StoreError};

/// The columns every lifecycle read returns (a [`LicenseRow`]); a macro so that constant
/// statements can `concat!` it.
macro_rules! columns {
    () => {
        "id, key, duration, issued_at, expires_at, status, services, user_id, \
        client_id, project_id, max_machines, seats"
    };
}

/// The columns every lifecycle read returns (a [`LicenseRow`]).
pub(super) const COLUMNS: &str = columns!();

/// License `key`, whoever owns it: validate's read (`nearest.rs`) and the refusals' reads.
/// A constant: the hot path formats no SQL.
pub(super) const FIND_BY_KEY: &str =
    concat!("SELECT ", columns!(), " FROM licenses WHERE key = ?1");

/// `seats` holds exactly the seat named `?2` (machine) and `?3` (instance); `IS` makes
/// `NULL` equal `NULL`, so the unnamed seat is a seat like any other.
const SEAT_TAKEN: &str = "EXISTS (SELECT 1 FROM json_each(licenses.seats) AS s \
    WHERE json_extract(s.value, '$.machineId') IS ?2 \
    AND json_extract(s.value, '$.instanceId') IS ?3)";

/// Takes the seat: PENDING or ACTIVE, not expired at `?4`, a seat free, not taken already.
fn activate_sql() -> String {
    format!(
        "UPDATE licenses SET status = 'ACTIVE', \
         seats = json_insert(seats, '$[#]', \
             json_object('machineId', ?2, 'instanceId', ?3, 'activatedAt', ?4)) \
         WHERE key = ?1 AND status IN ('PENDING', 'ACTIVE') AND expires_at > ?4 \
         AND json_array_length(seats) < max_machines AND NOT {SEAT_TAKEN} \
         RETURNING {COLUMNS}"
    )
}

/// Frees the seat, if taken, on the license of `?4` (any owner when `?4` is NULL).
fn deactivate_sql() -> String {
    format!(
        "UPDATE licenses SET seats = (SELECT json_group_array(json(s.value)) \
             FROM json_each(licenses.seats) AS s \
             WHERE NOT (json_extract(s.value, '$.machineId') IS ?2 \
                 AND json_extract(s.value, '$.instanceId') IS ?3)) \
         WHERE key = ?1 AND (?4 IS NULL OR user_id = ?4) AND {SEAT_TAKEN} \
         RETURNING id"
    )
}

fn find_owned_sql() -> String {
    format!("SELECT {COLUMNS} FROM licenses WHERE key = ?1 AND user_id = ?2")
}

const REVOKE: &str = "UPDATE licenses SET status = 'REVOKED' \
    WHERE key = ?1 AND user_id = ?2 AND status IN ('PENDING', 'ACTIVE') AND expires_at > ?3 \
    RETURNING id";

/// Back to ACTIVE only with a machine: a license revoked before any activation is PENDING.
const REINSTATE: &str = "UPDATE licenses \
    SET status = CASE WHEN json_array_length(seats) > 0 THEN 'ACTIVE' ELSE 'PENDING' END \
    WHERE key = ?1 AND user_id = ?2 AND status = 'REVOKED' AND expires_at > ?3 \
    RETURNING id";

const EXPIRE: &str = "UPDATE licenses SET status = 'EXPIRED' \
    WHERE key = ?1 AND status IN ('PENDING', 'ACTIVE') AND expires_at <= ?2";

impl D1Store {
    /// The first row `sql` returns with `values`, read as a license.
    pub(super) async fn license_row(
        &self,
        operation: &'static str,
        sql: &str,
        values: &[Param],
    ) -> Result<Option<License>, StoreError> {
        let row = self
            .first::<LicenseRow>(sql, values)
            .await
            .map_err(failed(operation))?;
        row.map(LicenseRow::into_license)
            .transpose()
            .map_err(failed(operation))
    }

    /// Whether `sql` (with `RETURNING id`) changed a row.
    pub(super) async fn changed(
        &self,
        operation: &'static str,
        sql: &str,
        values: &[Param],
    ) -> Result<bool, StoreError> {
        let row = self
            .first::<ReturnedId>(sql, values)
            .await
            .map_err(failed(operation))?;
        Ok(row.is_some())
    }
}

fn seat_values(key: &str, seat: &SeatRef) -> [Param; 3] {
    [
        text(key),
        optional(seat.machine_str().map(str::to_owned)),
        optional(seat.instance_str().map(str::to_owned)),
    ]
}

impl LifecycleStore for D1Store {
    async fn find_by_key(&self, key: &str) -> Result<Option<License>, StoreError> {
        self.license_row("find license", FIND_BY_KEY, &[text(key)])
            .await
    }

    async fn activate(
        &self,
        key: &str,
        seat: &SeatRef,
        now: DateTime<Utc>,
    ) -> Result<Option<License>, StoreError> {
        let [key, machine, instance] = seat_values(key, seat);
        let values = [key, machine, instance, text(format_timestamp(now))];
        self.license_row("activate license", &activate_sql(), &values)
            .await
    }

    async fn deactivate(
        &self,
        key: &str,
        seat: &SeatRef,
        owner: Option<&UserId>,
    ) -> Result<bool, StoreError> {
        let [key, machine, instance] = seat_values(key, seat);
        let owner = optional(owner.map(|o| o.as_str().to_owned()));
        let values = [key, machine, instance, owner];
        self.changed("deactivate license", &deactivate_sql(), &values)
            .await
    }

    async fn expire(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let values = [text(key), text(format_timestamp(now))];
        self.run(EXPIRE, &values)
            .await
            .map_err(failed("expire license"))?;
        Ok(())
    }

    async fn find_owned(&self, owner: &UserId, key: &str) -> Result<Option<License>, StoreError> {
        let values = [text(key), text(owner.as_str())];
        self.license_row("find owned license", &find_owned_sql(), &values)
            .await
    }

    async fn revoke(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let values = [text(key), text(owner.as_str()), text(format_timestamp(now))];
        self.changed("revoke license", REVOKE, &values).await
    }

    async fn reinstate(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let values = [text(key), text(owner.as_str()), text(format_timestamp(now))];
        self.changed("reinstate license", REINSTATE, &values).await
    }

    async fn renew(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.renew_license(owner, key, seen, until).await
    }

    async fn list(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError> {
        self.list_licenses(owner, filter, page).await
    }

    async fn expire_due(&self, now: DateTime<Utc>, batch: u32) -> Result<u32, StoreError> {
        self.expire_due_batch(now, batch).await
    }

    async fn find_by_key_nearest(&self, key: &str) -> Result<NearestRead, StoreError> {
        self.nearest_license(key).await
    }
}
