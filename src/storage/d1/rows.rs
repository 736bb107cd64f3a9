//! Rows as D1 returns them (`driver.js` gives each as a JSON object of its columns), and their
//! conversion back into the domain. Pure, so the mapping is tested natively; `store.rs` does
//! the I/O.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::fields::{read_array, Fields};
use crate::domain::{
    Duration, Fingerprint, License, LicenseKey, LicenseStatus, MaxMachines, ObjectId, Seat,
    SeatName, Services, UserId,
};
use crate::storage::IdempotentLicense;

/// A row type: the columns it reads, and how (through the one field reader of
/// `domain::fields`, no `Deserialize` struct per row). The error names the column.
pub trait FromRow: Sized {
    const COLUMNS: &'static [&'static str];
    fn from_row(row: Fields) -> Result<Self, String>;
}

/// Column `name` as text.
pub(super) fn text_column(row: &mut Fields, table: &str, name: &str) -> Result<String, String> {
    row.text(name)
        .ok_or_else(|| format!("unreadable {table}.{name}"))
}

/// Column `name`, which may be `NULL` (or not selected), as text.
fn nullable_text(row: &mut Fields, name: &str) -> Result<Option<String>, String> {
    match row.value(name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(format!("unreadable licenses.{name}")),
    }
}

/// The columns `store.rs` selects, by name.
#[derive(Debug)]
pub struct LicenseRow {
    pub id: String,
    pub key: String,
    pub duration: u8,
    pub issued_at: String,
    pub expires_at: String,
    pub status: String,
    pub services: String,
    pub user_id: String,
    pub client_id: String,
    pub project_id: String,
    pub request_fingerprint: Option<String>,
    /// Absent from statements that do not select it (idempotent replays): the default.
    pub max_machines: Option<u64>,
    pub seats: Option<String>,
}

impl FromRow for LicenseRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "duration",
        "issued_at",
        "expires_at",
        "status",
        "services",
        "user_id",
        "client_id",
        "project_id",
        "request_fingerprint",
        "max_machines",
        "seats",
    ];

    fn from_row(mut row: Fields) -> Result<Self, String> {
        let row = &mut row;
        let text = |row: &mut Fields, name| text_column(row, "licenses", name);
        Ok(Self {
            id: text(row, "id")?,
            key: text(row, "key")?,
            duration: row
                .unsigned("duration")
                .and_then(|n| u8::try_from(n).ok())
                .ok_or("unreadable licenses.duration")?,
            issued_at: text(row, "issued_at")?,
            expires_at: text(row, "expires_at")?,
            status: text(row, "status")?,
            services: text(row, "services")?,
            user_id: text(row, "user_id")?,
            client_id: text(row, "client_id")?,
            project_id: text(row, "project_id")?,
            request_fingerprint: nullable_text(row, "request_fingerprint")?,
            max_machines: match row.value("max_machines") {
                None => None,
                Some(n) => Some(n.as_u64().ok_or("unreadable licenses.max_machines")?),
            },
            seats: nullable_text(row, "seats")?,
        })
    }
}

/// The one column of `… RETURNING id`: a row came back.
pub struct ReturnedId;

impl FromRow for ReturnedId {
    const COLUMNS: &'static [&'static str] = &["id"];

    fn from_row(mut row: Fields) -> Result<Self, String> {
        text_column(&mut row, "licenses", "id").map(|_| Self)
    }
}

/// The names of a seat as the `seats` JSON array stores it.
const SEAT_FIELDS: [&str; 3] = ["machineId", "instanceId", "activatedAt"];

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn seats(json: &str) -> Option<Vec<Seat>> {
    let name = |seat: &mut Fields, field| match seat.value(field) {
        None => Some(None),
        Some(Value::String(text)) => Some(Some(SeatName::from_stored(text))),
        Some(_) => None,
    };
    read_array(json.as_bytes(), &SEAT_FIELDS)
        .ok()?
        .into_iter()
        .map(|mut seat| {
            Some(Seat {
                machine: name(&mut seat, "machineId")?,
                instance: name(&mut seat, "instanceId")?,
                activated_at: parse_time(&seat.text("activatedAt")?)?,
            })
        })
        .collect()
}

impl LicenseRow {
    /// The stored license, or which column could not be read back (the schema's CHECKs make
    /// this a sign of a foreign writer, reported as a storage failure).
    pub fn into_idempotent(self) -> Result<IdempotentLicense, String> {
        let fingerprint = self
            .request_fingerprint
            .clone()
            .ok_or_else(|| format!("unreadable licenses.request_fingerprint in row {}", self.id))?;
        Ok(IdempotentLicense {
            license: self.into_license()?,
            fingerprint: Fingerprint::from_stored(fingerprint),
        })
    }

    /// The stored license, or which column could not be read back.
    pub fn into_license(self) -> Result<License, String> {
        let bad = |column: &str| format!("unreadable licenses.{column} in row {}", self.id);
        let timestamp = |text: &str, column: &str| parse_time(text).ok_or_else(|| bad(column));
        let services: serde_json::Value =
            serde_json::from_slice(self.services.as_bytes()).map_err(|_| bad("services"))?;
        let license = License {
            key: LicenseKey::from_stored(self.key.clone()),
            duration: Duration::from_months(self.duration).ok_or_else(|| bad("duration"))?,
            issued_at: timestamp(&self.issued_at, "issued_at")?,
            expires_at: timestamp(&self.expires_at, "expires_at")?,
            status: LicenseStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
            services: Services::parse(Some(&services)).ok_or_else(|| bad("services"))?,
            user: UserId::parse(&self.user_id).ok_or_else(|| bad("user_id"))?,
            client: ObjectId::parse(&self.client_id).map_err(|_| bad("client_id"))?,
            project: ObjectId::parse(&self.project_id).map_err(|_| bad("project_id"))?,
            id: ObjectId::parse(&self.id).map_err(|_| bad("id"))?,
            max_machines: match self.max_machines {
                None => MaxMachines::DEFAULT,
                Some(n) => MaxMachines::from_count(n).ok_or_else(|| bad("max_machines"))?,
            },
            seats: match &self.seats {
                None => Vec::new(),
                Some(json) => seats(json).ok_or_else(|| bad("seats"))?,
            },
        };
        Ok(license)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> LicenseRow {
        LicenseRow {
            id: "60f7b3b3e6b3a72e8c8e4a1c".into(),
            key: "KB-60f7b3b3e6b3a72e8c8e4a1b-A1B2-C3D4-E5F6".into(),
            duration: 12,
            issued_at: "2024-01-31T10:00:00.123Z".into(),
            expires_at: "2025-01-31T10:00:00.123Z".into(),
            status: "PENDING".into(),
            services: r#"["Domain","Hosting"]"#.into(),
            user_id: "auth0|42".into(),
            client_id: "60f7b3b3e6b3a72e8c8e4a1a".into(),
            project_id: "60f7b3b3e6b3a72e8c8e4a1b".into(),
            request_fingerprint: Some("ab".repeat(32)),
            max_machines: Some(3),
            seats: Some(
                r#"[{"machineId":"m","instanceId":null,"activatedAt":"2024-02-01T00:00:00.000Z"}]"#
                    .into(),
            ),
        }
    }

    /// A row as `driver.js` gives it, with a column D1 selected but nothing reads.
    fn d1_row() -> Value {
        serde_json::json!({
            "id": "60f7b3b3e6b3a72e8c8e4a1c", "key": "KB-60f7b3b3e6b3a72e8c8e4a1b-A1B2-C3D4-E5F6",
            "duration": 12, "issued_at": "2024-01-31T10:00:00.123Z",
            "expires_at": "2025-01-31T10:00:00.123Z", "status": "ACTIVE",
            "services": "[\"Hosting\"]", "user_id": "auth0|42",
            "client_id": "60f7b3b3e6b3a72e8c8e4a1a", "project_id": "60f7b3b3e6b3a72e8c8e4a1b",
            "request_fingerprint": null, "max_machines": 2, "seats": "[]", "rowid": 7
        })
    }

    fn from_d1(row: &Value) -> Result<LicenseRow, String> {
        let json = serde_json::to_vec(row).unwrap();
        LicenseRow::from_row(
            crate::domain::fields::read_object(&json, LicenseRow::COLUMNS).unwrap(),
        )
    }

    #[test]
    fn a_row_as_d1_returns_it_is_read_column_by_column() {
        let row = from_d1(&d1_row()).unwrap();
        assert_eq!((row.duration, row.status.as_str()), (12, "ACTIVE"));
        assert_eq!(
            (row.max_machines, row.seats.as_deref()),
            (Some(2), Some("[]"))
        );
        assert_eq!(row.request_fingerprint, None);
        let license = row.into_license().unwrap();
        assert_eq!(license.max_machines.get(), 2);
        // Statements that do not select the seat columns (idempotent replays).
        let mut replay = d1_row();
        for column in ["max_machines", "seats", "request_fingerprint"] {
            replay.as_object_mut().unwrap().remove(column);
        }
        let row = from_d1(&replay).unwrap();
        assert_eq!((row.max_machines, row.seats), (None, None));
        // A column of another type is named, not a panic.
        for (column, value) in [
            ("duration", Value::from("12")),
            ("duration", Value::from(300)),
            ("key", Value::from(1)),
            ("id", Value::Null),
            ("max_machines", Value::from(-1)),
            ("seats", Value::from(1)),
            ("request_fingerprint", Value::from(false)),
        ] {
            let mut bad = d1_row();
            bad[column] = value;
            let error = from_d1(&bad).unwrap_err();
            assert!(error.contains(&format!("licenses.{column}")), "{error}");
        }
    }

    #[test]
    fn seats_and_the_seat_limit_read_back() {
        let license = row().into_license().unwrap();
        assert_eq!(license.max_machines.get(), 3);
        assert_eq!(license.seats.len(), 1);
        assert_eq!(
            license.seats[0].machine.as_ref().map(SeatName::as_str),
            Some("m")
        );
        assert_eq!(license.seats[0].instance, None);
        let mut bare = row();
        (bare.max_machines, bare.seats) = (None, None);
        let license = bare.into_license().unwrap();
        assert_eq!((license.max_machines.get(), license.seats.len()), (1, 0));
    }

    #[test]
    fn a_stored_row_reads_back_as_the_license_that_was_returned() {
        let stored = row().into_idempotent().unwrap();
        let json = serde_json::to_value(&stored.license).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "key": "KB-60f7b3b3e6b3a72e8c8e4a1b-A1B2-C3D4-E5F6", "duration": 12,
                "issuedAt": "2024-01-31T10:00:00.123Z", "expiresAt": "2025-01-31T10:00:00.123Z",
                "status": "PENDING", "services": ["Domain", "Hosting"], "user": "auth0|42",
                "client": "60f7b3b3e6b3a72e8c8e4a1a", "project": "60f7b3b3e6b3a72e8c8e4a1b",
                "_id": "60f7b3b3e6b3a72e8c8e4a1c"
            })
        );
        assert_eq!(stored.fingerprint.as_str(), "ab".repeat(32));
    }

    #[test]
    fn a_corrupt_column_is_named_not_a_panic() {
        type Corruption = fn(&mut LicenseRow);
        let cases: [(Corruption, &str); 7] = [
            (|r| r.max_machines = Some(0), "max_machines"),
            (
                |r| r.seats = Some(r#"[{"activatedAt":"never"}]"#.into()),
                "seats",
            ),
            (|r| r.duration = 0, "duration"),
            (|r| r.status = "LOST".into(), "status"),
            (|r| r.services = "not json".into(), "services"),
            (|r| r.issued_at = "yesterday".into(), "issued_at"),
            (|r| r.request_fingerprint = None, "request_fingerprint"),
        ];
        for (corrupt, column) in cases {
            let mut bad = row();
            corrupt(&mut bad);
            let error = bad.into_idempotent().unwrap_err();
            assert!(error.contains(&format!("licenses.{column}")), "{error}");
        }
    }
}
