//! A `licenses` row as D1 returns it, and its conversion back into the domain. Pure, so the
//! mapping is tested natively; `store.rs` does the I/O.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::domain::{
    Duration, Fingerprint, License, LicenseKey, LicenseStatus, MaxMachines, ObjectId, Seat,
    SeatName, Services, UserId,
};
use crate::storage::IdempotentLicense;

/// The columns `store.rs` selects, by name.
#[derive(Debug, Deserialize)]
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
    #[serde(default)]
    pub request_fingerprint: Option<String>,
    /// Absent from statements that do not select it (idempotent replays): the default.
    #[serde(default)]
    pub max_machines: Option<u64>,
    #[serde(default)]
    pub seats: Option<String>,
}

/// A seat as the `seats` JSON array stores it.
#[derive(Deserialize)]
struct StoredSeat {
    #[serde(rename = "machineId")]
    machine: Option<String>,
    #[serde(rename = "instanceId")]
    instance: Option<String>,
    #[serde(rename = "activatedAt")]
    activated_at: String,
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn seats(json: &str) -> Option<Vec<Seat>> {
    let stored: Vec<StoredSeat> = serde_json::from_slice(json.as_bytes()).ok()?;
    stored
        .into_iter()
        .map(|s| {
            Some(Seat {
                machine: s.machine.map(SeatName::from_stored),
                instance: s.instance.map(SeatName::from_stored),
                activated_at: parse_time(&s.activated_at)?,
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
