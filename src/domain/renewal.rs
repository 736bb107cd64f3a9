//! Renewal: a license's new expiry and status. Pure.

use chrono::{DateTime, Utc};

use super::{add_months, LicenseStatus};

/// The expiry after renewing by `months` calendar months from the later of `now` and the
/// current `expires_at`: renewing early never loses the time left, renewing late never
/// back-dates the new period.
pub fn renewed_expiry(expires_at: DateTime<Utc>, now: DateTime<Utc>, months: u8) -> DateTime<Utc> {
    add_months(expires_at.max(now), months)
}

/// The status after renewing: an EXPIRED license is live again, ACTIVE if it holds seats, else
/// PENDING (never ACTIVE without a machine); any other status is kept (a REVOKED license stays
/// REVOKED, with its new expiry).
pub fn renewed_status(status: LicenseStatus, holds_seats: bool) -> LicenseStatus {
    match status {
        LicenseStatus::Expired if holds_seats => LicenseStatus::Active,
        LicenseStatus::Expired => LicenseStatus::Pending,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_live_license_is_extended_from_its_current_expiry() {
        assert_eq!(
            renewed_expiry(at(2024, 6, 30), at(2024, 3, 1), 2),
            at(2024, 8, 30)
        );
    }

    #[test]
    fn an_expired_license_is_extended_from_now_with_month_ends_clamped() {
        assert_eq!(
            renewed_expiry(at(2023, 1, 1), at(2024, 1, 31), 1),
            at(2024, 2, 29)
        );
    }

    #[test]
    fn only_an_expired_status_changes_and_to_active_only_with_seats() {
        use LicenseStatus::*;
        assert_eq!(renewed_status(Expired, true), Active);
        assert_eq!(renewed_status(Expired, false), Pending);
        for kept in [Pending, Active, Revoked] {
            assert_eq!(renewed_status(kept, true), kept);
            assert_eq!(renewed_status(kept, false), kept);
        }
    }
}
