//! What a license says about a call: the validate verdict (codes in a fixed precedence, the
//! first failing check wins) and why an activation was refused. Pure: the license as read and
//! "now" in, a verdict out.

use chrono::{DateTime, Utc};

use super::{License, LicenseStatus, Seat, SeatRef};

/// The answer of `POST /validate`, checked in this order (first failure wins):
/// NOT_FOUND → REVOKED → EXPIRED → NOT_ACTIVATED → MACHINE_MISMATCH → INSTANCE_MISMATCH → VALID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    NotFound,
    Revoked,
    Expired,
    NotActivated,
    MachineMismatch,
    InstanceMismatch,
    Valid,
}

impl Verdict {
    pub fn is_valid(self) -> bool {
        self == Self::Valid
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::Revoked => "REVOKED",
            Self::Expired => "EXPIRED",
            Self::NotActivated => "NOT_ACTIVATED",
            Self::MachineMismatch => "MACHINE_MISMATCH",
            Self::InstanceMismatch => "INSTANCE_MISMATCH",
            Self::Valid => "VALID",
        }
    }

    /// The original server's `status` words (and `instance_mismatch`, which it lacked).
    pub fn status(self) -> &'static str {
        match self {
            Self::NotFound => "invalid",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::NotActivated => "pending",
            Self::MachineMismatch => "machine_mismatch",
            Self::InstanceMismatch => "instance_mismatch",
            Self::Valid => "active",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "Key does not exist",
            Self::Revoked => "License revoked by developer",
            Self::Expired => "License has expired",
            Self::NotActivated => "License has not been activated yet",
            Self::MachineMismatch => "License is not valid for this machine",
            Self::InstanceMismatch => "License is not valid for this instance",
            Self::Valid => "License is valid",
        }
    }
}

/// Whether `license` is PENDING or ACTIVE past its expiry at `now`: it answers EXPIRED and is
/// to be stored as EXPIRED.
pub fn is_due_to_expire(license: &License, now: DateTime<Utc>) -> bool {
    matches!(
        license.status,
        LicenseStatus::Pending | LicenseStatus::Active
    ) && license.expires_at <= now
}

/// Whether the license is over at `now`: stored as EXPIRED, or due to be.
pub fn has_expired(license: &License, now: DateTime<Utc>) -> bool {
    license.status == LicenseStatus::Expired || is_due_to_expire(license, now)
}

/// The validate verdict for `seat` at `now`. A machine or instance is checked only when the
/// call names one.
pub fn verdict(license: Option<&License>, seat: &SeatRef, now: DateTime<Utc>) -> Verdict {
    let Some(license) = license else {
        return Verdict::NotFound;
    };
    if license.status == LicenseStatus::Revoked {
        return Verdict::Revoked;
    }
    if has_expired(license, now) {
        return Verdict::Expired;
    }
    if license.status == LicenseStatus::Pending {
        return Verdict::NotActivated;
    }
    let on_machine = |s: &&Seat| seat.machine.is_none() || s.machine == seat.machine;
    if seat.machine.is_some() && !license.seats.iter().any(|s| on_machine(&s)) {
        return Verdict::MachineMismatch;
    }
    if seat.instance.is_some()
        && !license
            .seats
            .iter()
            .filter(on_machine)
            .any(|s| s.instance == seat.instance)
    {
        return Verdict::InstanceMismatch;
    }
    Verdict::Valid
}

/// Why an activation did not take a seat, explained from one read after the conditional
/// write did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivationCheck {
    NotFound,
    Revoked,
    Expired,
    /// The seat is already this caller's: an idempotent success.
    AlreadyActive(Seat),
    /// Every seat is taken; `same_machine` when one holds this machine under another instance.
    Full {
        same_machine: bool,
    },
    /// Nothing stops it (a seat was freed meanwhile): try the write again.
    Retry,
}

/// Explains a refused activation of `seat` from the license as read.
pub fn check_activation(
    license: Option<&License>,
    seat: &SeatRef,
    now: DateTime<Utc>,
) -> ActivationCheck {
    let Some(license) = license else {
        return ActivationCheck::NotFound;
    };
    if license.status == LicenseStatus::Revoked {
        return ActivationCheck::Revoked;
    }
    if has_expired(license, now) {
        return ActivationCheck::Expired;
    }
    if let Some(taken) = license.seats.iter().find(|s| s.is(seat)) {
        return ActivationCheck::AlreadyActive(taken.clone());
    }
    if license.seats.len() >= usize::from(license.max_machines.get()) {
        let same_machine = license
            .seats
            .iter()
            .any(|s| s.machine == seat.machine && s.instance != seat.instance);
        return ActivationCheck::Full { same_machine };
    }
    ActivationCheck::Retry
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{
        CreateLicenseRequest, LicenseKey, MaxMachines, ObjectId, OsRandom, SeatName, UserId,
    };

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap()
    }

    fn license(status: LicenseStatus, seats: &[(Option<&str>, Option<&str>)]) -> License {
        let request = CreateLicenseRequest::parse(
            br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b"}"#,
        )
        .unwrap();
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap();
        let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
        let issued = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let mut license = License::issue(&request, UserId::parse("u").unwrap(), issued, id, key);
        license.status = status;
        license.max_machines = MaxMachines::from_count(2).unwrap();
        license.seats = seats
            .iter()
            .map(|(m, i)| Seat {
                machine: m.and_then(SeatName::parse),
                instance: i.and_then(SeatName::parse),
                activated_at: issued,
            })
            .collect();
        license
    }

    fn call(machine: Option<&str>, instance: Option<&str>) -> SeatRef {
        SeatRef {
            machine: machine.and_then(SeatName::parse),
            instance: instance.and_then(SeatName::parse),
        }
    }

    #[test]
    fn the_first_failing_check_wins_in_the_documented_order() {
        use LicenseStatus::*;
        let mut past = license(Revoked, &[]);
        past.expires_at = now();
        let bound = license(Active, &[(Some("m"), Some("i"))]);
        let cases: [(Option<&License>, SeatRef, Verdict); 10] = [
            (None, call(Some("x"), None), Verdict::NotFound),
            (Some(&past), call(Some("x"), None), Verdict::Revoked),
            (
                Some(&license(Expired, &[])),
                call(Some("x"), None),
                Verdict::Expired,
            ),
            (
                Some(&license(Pending, &[])),
                call(Some("x"), None),
                Verdict::NotActivated,
            ),
            (
                Some(&bound),
                call(Some("x"), Some("y")),
                Verdict::MachineMismatch,
            ),
            (
                Some(&bound),
                call(Some("m"), Some("y")),
                Verdict::InstanceMismatch,
            ),
            (
                Some(&bound),
                call(None, Some("y")),
                Verdict::InstanceMismatch,
            ),
            (Some(&bound), call(Some("m"), Some("i")), Verdict::Valid),
            (Some(&bound), call(Some("m"), None), Verdict::Valid),
            (Some(&bound), call(None, None), Verdict::Valid),
        ];
        for (license, seat, expected) in cases {
            assert_eq!(verdict(license, &seat, now()), expected, "{seat:?}");
        }
    }

    #[test]
    fn an_active_or_pending_license_past_its_expiry_is_expired_and_due_to_be_stored_so() {
        for status in [LicenseStatus::Active, LicenseStatus::Pending] {
            let mut l = license(status, &[]);
            l.expires_at = now();
            assert_eq!(
                verdict(Some(&l), &SeatRef::default(), now()),
                Verdict::Expired
            );
            assert!(is_due_to_expire(&l, now()));
        }
        let mut revoked = license(LicenseStatus::Revoked, &[]);
        revoked.expires_at = now();
        assert!(!is_due_to_expire(&revoked, now()), "revoked stays revoked");
    }

    #[test]
    fn a_refused_activation_is_explained_from_the_license() {
        use LicenseStatus::*;
        let full = license(Active, &[(Some("m"), Some("i")), (Some("n"), None)]);
        assert_eq!(
            check_activation(None, &call(None, None), now()),
            ActivationCheck::NotFound
        );
        assert_eq!(
            check_activation(Some(&license(Revoked, &[])), &call(None, None), now()),
            ActivationCheck::Revoked
        );
        assert_eq!(
            check_activation(Some(&license(Expired, &[])), &call(None, None), now()),
            ActivationCheck::Expired
        );
        assert!(matches!(
            check_activation(Some(&full), &call(Some("m"), Some("i")), now()),
            ActivationCheck::AlreadyActive(_)
        ));
        assert_eq!(
            check_activation(Some(&full), &call(Some("m"), Some("j")), now()),
            ActivationCheck::Full { same_machine: true }
        );
        assert_eq!(
            check_activation(Some(&full), &call(Some("z"), None), now()),
            ActivationCheck::Full {
                same_machine: false
            }
        );
        assert_eq!(
            check_activation(Some(&license(Active, &[])), &call(None, None), now()),
            ActivationCheck::Retry
        );
    }
}
