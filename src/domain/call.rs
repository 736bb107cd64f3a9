//! The bodies of the lifecycle calls: what licensed software sends to `/validate`,
//! `/validate/activate` and `/validate/deactivate` (`{key, machineId?, instanceId?,
//! productName?}`), and the developer's seat and renew bodies. Parsed once, here.

use serde_json::Value;

use super::request::read_fields;
use super::{Duration, RequestError, SeatName, SeatRef};

/// A validate, activate or deactivate body: the key and the seat it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseCall {
    /// The key as sent: any string (an unknown one is simply not found).
    pub key: String,
    pub seat: SeatRef,
}

/// The fields read; `productName` and anything else are ignored.
const CALL_FIELDS: [&str; 3] = ["key", "machineId", "instanceId"];

fn seat(
    raw_machine: Option<&Value>,
    raw_instance: Option<&Value>,
) -> Result<SeatRef, RequestError> {
    Ok(SeatRef {
        machine: SeatName::from_field(raw_machine, RequestError::InvalidMachineId)?,
        instance: SeatName::from_field(raw_instance, RequestError::InvalidInstanceId)?,
    })
}

impl LicenseCall {
    /// The key first (missing, `null` or `""`: "License key is required", as the original),
    /// then the seat names.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let mut raw = read_fields(body, &CALL_FIELDS)?;
        let key = match raw.value("key") {
            None => return Err(RequestError::LicenseKeyRequired),
            Some(Value::String(key)) if key.is_empty() => {
                return Err(RequestError::LicenseKeyRequired)
            }
            Some(Value::String(key)) => key,
            Some(_) => return Err(RequestError::InvalidLicenseKey),
        };
        Ok(Self {
            key,
            seat: seat(
                raw.value("machineId").as_ref(),
                raw.value("instanceId").as_ref(),
            )?,
        })
    }
}

/// The developer's `POST /license/:key/deactivate` body `{machineId?, instanceId?}`.
pub fn parse_seat(body: &[u8]) -> Result<SeatRef, RequestError> {
    let mut raw = read_fields(body, &CALL_FIELDS)?;
    seat(
        raw.value("machineId").as_ref(),
        raw.value("instanceId").as_ref(),
    )
}

/// The `PATCH /license/renew/:key` body `{duration?}`: `None` renews by the license's own
/// duration.
pub fn parse_renewal(body: &[u8]) -> Result<Option<Duration>, RequestError> {
    match read_fields(body, &["duration"])?.value("duration") {
        None => Ok(None),
        Some(value) => Duration::parse(Some(&value))
            .map(Some)
            .ok_or(RequestError::InvalidDuration),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestError::*;

    #[test]
    fn each_sdk_body_parses() {
        let node = LicenseCall::parse(br#"{"key":"KB-1","productName":"app"}"#).unwrap();
        assert_eq!((node.key.as_str(), node.seat), ("KB-1", SeatRef::default()));
        let python =
            LicenseCall::parse(br#"{"key":"KB-1","productName":"app","instanceId":"u-1"}"#)
                .unwrap();
        assert_eq!(python.seat.instance_str(), Some("u-1"));
        assert_eq!(python.seat.machine, None);
        let dotnet = LicenseCall::parse(
            format!(
                r#"{{"key":"KB-1","machineId":"{}","instanceId":"i"}}"#,
                "ab".repeat(32)
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(dotnet.seat.machine_str().map(str::len), Some(64));
    }

    #[test]
    fn bad_calls_are_refused_with_their_own_message() {
        let cases: [(&str, RequestError); 12] = [
            ("", LicenseKeyRequired),
            ("{}", LicenseKeyRequired),
            (r#"{"key":null}"#, LicenseKeyRequired),
            (r#"{"key":""}"#, LicenseKeyRequired),
            (r#"{"key":42}"#, InvalidLicenseKey),
            (r#"{"key":{"$ne":null}}"#, InvalidLicenseKey),
            (r#"{"key":["KB"]}"#, InvalidLicenseKey),
            (r#"{"key":"K","machineId":7}"#, InvalidMachineId),
            (r#"{"key":"K","machineId":""}"#, InvalidMachineId),
            (r#"{"key":"K","instanceId":"a\nb"}"#, InvalidInstanceId),
            ("[1]", NotAnObject),
            ("{\"key\":", MalformedJson),
        ];
        for (body, expected) in cases {
            assert_eq!(LicenseCall::parse(body.as_bytes()), Err(expected), "{body}");
        }
        assert_eq!(
            LicenseCall::parse(br#"{"key":"a","key":"b"}"#),
            Err(DuplicateField)
        );
    }

    #[test]
    fn a_renewal_takes_an_optional_duration_of_one_to_twelve_months() {
        assert_eq!(parse_renewal(b""), Ok(None));
        assert_eq!(parse_renewal(br#"{"duration":null}"#), Ok(None));
        assert_eq!(
            parse_renewal(br#"{"duration":3}"#)
                .unwrap()
                .map(Duration::months),
            Some(3)
        );
        for bad in [
            r#"{"duration":0}"#,
            r#"{"duration":13}"#,
            r#"{"duration":"3"}"#,
        ] {
            assert_eq!(parse_renewal(bad.as_bytes()), Err(InvalidDuration), "{bad}");
        }
    }

    #[test]
    fn a_developer_seat_body_names_machine_and_instance() {
        assert_eq!(parse_seat(b"{}"), Ok(SeatRef::default()));
        assert_eq!(parse_seat(br#"{"machineId":false}"#), Err(InvalidMachineId));
    }
}
