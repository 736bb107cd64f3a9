//! Seats: the machines (and instances on them) a license is activated on. A seat is named by
//! the client-supplied `(machineId, instanceId)`, each optional: a request naming neither uses
//! the one unnamed seat (what the original Node SDK sends).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::format_timestamp;

/// A `machineId` or `instanceId`: 1 to [`SeatName::MAX_CHARS`] characters, none a control
/// character (the .NET SDK sends 64 hex digits, the Python SDK a uuid4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct SeatName(String);

impl SeatName {
    pub const MAX_CHARS: usize = 128;

    pub fn parse(text: &str) -> Option<Self> {
        let count = text.chars().count();
        ((1..=Self::MAX_CHARS).contains(&count) && !text.chars().any(char::is_control))
            .then(|| Self(text.to_owned()))
    }

    /// A name read back from storage, where only parsed names are written.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// From a JSON field: absent or `null` is `Ok(None)`; anything but a valid string is
    /// `invalid`.
    pub fn from_field<E>(value: Option<&Value>, invalid: E) -> Result<Option<Self>, E> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Self::parse(text).map(Some).ok_or(invalid),
            Some(_) => Err(invalid),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which seat a request means: its machine and instance, either or both absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeatRef {
    pub machine: Option<SeatName>,
    pub instance: Option<SeatName>,
}

impl SeatRef {
    pub fn machine_str(&self) -> Option<&str> {
        self.machine.as_ref().map(SeatName::as_str)
    }

    pub fn instance_str(&self) -> Option<&str> {
        self.instance.as_ref().map(SeatName::as_str)
    }
}

/// A taken seat: who holds it and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seat {
    #[serde(rename = "machineId")]
    pub machine: Option<SeatName>,
    #[serde(rename = "instanceId")]
    pub instance: Option<SeatName>,
    #[serde(rename = "activatedAt", serialize_with = "timestamp")]
    pub activated_at: DateTime<Utc>,
}

impl Seat {
    /// Whether this is the seat `wanted` names (absent names compare equal to absent ones).
    pub fn is(&self, wanted: &SeatRef) -> bool {
        self.machine == wanted.machine && self.instance == wanted.instance
    }
}

fn timestamp<S: serde::Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_timestamp(*at))
}

/// How many seats a license has: 1 to 1000, 1 by default (the original's one machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaxMachines(u16);

impl MaxMachines {
    pub const MAX: u16 = 1000;
    pub const DEFAULT: Self = Self(1);

    /// Absent or `null` is the default; otherwise a JSON integer in `1..=1000`.
    pub fn parse(value: Option<&Value>) -> Option<Self> {
        match value {
            None | Some(Value::Null) => Some(Self::DEFAULT),
            Some(v) => Self::from_count(v.as_u64()?),
        }
    }

    pub fn from_count(count: u64) -> Option<Self> {
        u16::try_from(count)
            .ok()
            .filter(|n| (1..=Self::MAX).contains(n))
            .map(Self)
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seat_names_are_one_to_128_characters_without_control_characters() {
        assert!(SeatName::parse("a").is_some());
        assert!(
            SeatName::parse(&"é".repeat(128)).is_some(),
            "characters, not bytes"
        );
        assert!(SeatName::parse(&"x".repeat(129)).is_none());
        for bad in ["", "a\nb", "\u{0000}", "tab\there", "\u{007f}"] {
            assert!(SeatName::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_seat_name_field_may_be_absent_or_null_but_not_another_type() {
        assert_eq!(SeatName::from_field(None, ()), Ok(None));
        assert_eq!(SeatName::from_field(Some(&json!(null)), ()), Ok(None));
        assert_eq!(
            SeatName::from_field(Some(&json!("m-1")), ()),
            Ok(SeatName::parse("m-1"))
        );
        for bad in [
            json!(1),
            json!(""),
            json!(["m"]),
            json!({"$ne": null}),
            json!(true),
        ] {
            assert_eq!(SeatName::from_field(Some(&bad), ()), Err(()), "{bad}");
        }
    }

    #[test]
    fn max_machines_defaults_to_one_and_must_be_an_integer_up_to_1000() {
        assert_eq!(MaxMachines::parse(None), Some(MaxMachines::DEFAULT));
        assert_eq!(
            MaxMachines::parse(Some(&json!(null))).map(MaxMachines::get),
            Some(1)
        );
        assert_eq!(
            MaxMachines::parse(Some(&json!(1000))).map(MaxMachines::get),
            Some(1000)
        );
        for bad in [
            json!(0),
            json!(1001),
            json!(-1),
            json!(2.5),
            json!("3"),
            json!(true),
            json!(65537),
        ] {
            assert_eq!(MaxMachines::parse(Some(&bad)), None, "{bad}");
        }
    }

    #[test]
    fn a_seat_is_named_by_both_names_absent_ones_included() {
        let at = DateTime::from_timestamp_millis(0).unwrap();
        let name = |s: &str| SeatName::parse(s);
        let seat = Seat {
            machine: name("m"),
            instance: None,
            activated_at: at,
        };
        assert!(seat.is(&SeatRef {
            machine: name("m"),
            instance: None
        }));
        assert!(!seat.is(&SeatRef {
            machine: name("m"),
            instance: name("i")
        }));
        assert!(!seat.is(&SeatRef::default()));
    }
}
