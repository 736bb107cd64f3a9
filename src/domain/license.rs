use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::{
    add_months, format_timestamp, CreateLicenseRequest, Duration, LicenseKey, MaxMachines,
    ObjectId, Seat, Services,
};

/// Who created a license: the token's user id claim, as the identity provider spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// The longest user id accepted from a token.
    pub const MAX_LEN: usize = 256;

    /// A non-blank id of at most [`Self::MAX_LEN`] bytes.
    pub fn parse(id: &str) -> Option<Self> {
        (!id.trim().is_empty() && id.len() <= Self::MAX_LEN).then(|| Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A license's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LicenseStatus {
    /// Created, not yet activated.
    Pending,
    /// Activated on a machine.
    Active,
    /// Its duration has elapsed.
    Expired,
    /// Revoked by the developer.
    Revoked,
}

impl LicenseStatus {
    pub const ALL: [LicenseStatus; 4] = [Self::Pending, Self::Active, Self::Expired, Self::Revoked];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
            Self::Expired => "EXPIRED",
            Self::Revoked => "REVOKED",
        }
    }
}

/// A license as the contract shows it; fields serialise in the seed example's order. Its seat
/// limit and seats are stored but not part of the create answer (only the developer views show
/// them: see `LicenseDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct License {
    pub key: LicenseKey,
    pub duration: Duration,
    #[serde(rename = "issuedAt", serialize_with = "timestamp")]
    pub issued_at: DateTime<Utc>,
    #[serde(rename = "expiresAt", serialize_with = "timestamp")]
    pub expires_at: DateTime<Utc>,
    pub status: LicenseStatus,
    pub services: Services,
    pub user: UserId,
    pub client: ObjectId,
    pub project: ObjectId,
    #[serde(rename = "_id")]
    pub id: ObjectId,
    #[serde(skip_serializing)]
    pub max_machines: MaxMachines,
    #[serde(skip_serializing)]
    pub seats: Vec<Seat>,
}

impl License {
    /// A new `PENDING` license issued at `issued_at` (truncated to milliseconds, the
    /// precision stored and shown), expiring `duration` calendar months later.
    pub fn issue(
        request: &CreateLicenseRequest,
        user: UserId,
        issued_at: DateTime<Utc>,
        id: ObjectId,
        key: LicenseKey,
    ) -> Self {
        let issued_at =
            DateTime::from_timestamp_millis(issued_at.timestamp_millis()).unwrap_or(issued_at);
        Self {
            key,
            duration: request.duration,
            issued_at,
            expires_at: add_months(issued_at, request.duration.months()),
            status: LicenseStatus::Pending,
            services: request.services.clone(),
            user,
            client: request.client,
            project: request.project,
            id,
            max_machines: request.max_machines,
            seats: Vec::new(),
        }
    }
}

pub(super) fn timestamp<S: Serializer>(
    at: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_timestamp(*at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ObjectIdGenerator, OsRandom};
    use chrono::TimeZone;

    #[test]
    fn a_new_license_serialises_exactly_like_the_seed_example() {
        let request = CreateLicenseRequest::parse(
            br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}"#,
        )
        .unwrap();
        let issued = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap();
        let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
        let user = UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
        let license = License::issue(&request, user, issued, id, key.clone());
        let json = serde_json::to_string(&license).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"key":"{key}","duration":12,"issuedAt":"2024-01-01T00:00:00.000Z","expiresAt":"2025-01-01T00:00:00.000Z","status":"PENDING","services":["Hosting","Domain"],"user":"60f7b3b3e6b3a72e8c8e4a1a","client":"60f7b3b3e6b3a72e8c8e4a1a","project":"60f7b3b3e6b3a72e8c8e4a1b","_id":"60f7b3b3e6b3a72e8c8e4a1c"}}"#
            )
        );
    }

    #[test]
    fn issue_time_is_kept_to_the_millisecond() {
        let request = CreateLicenseRequest::parse(
            br#"{"duration":1,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b"}"#,
        )
        .unwrap();
        let issued = Utc.timestamp_nanos(1_706_659_200_123_456_789); // 2024-01-31T00:00:00.123456789Z
        let id = ObjectIdGenerator::new([0; 5], 0).generate(0);
        let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
        let license = License::issue(&request, UserId::parse("u").unwrap(), issued, id, key);
        assert_eq!(
            format_timestamp(license.issued_at),
            "2024-01-31T00:00:00.123Z"
        );
        assert_eq!(license.issued_at.timestamp_subsec_nanos(), 123_000_000);
        assert_eq!(
            format_timestamp(license.expires_at),
            "2024-02-29T00:00:00.123Z"
        );
        assert_eq!(license.status.as_str(), "PENDING");
    }

    #[test]
    fn user_ids_must_be_non_blank_and_bounded() {
        assert!(UserId::parse("auth0|12345").is_some());
        assert!(UserId::parse("").is_none());
        assert!(UserId::parse("   ").is_none());
        assert!(UserId::parse(&"u".repeat(UserId::MAX_LEN)).is_some());
        assert!(UserId::parse(&"u".repeat(UserId::MAX_LEN + 1)).is_none());
    }
}
