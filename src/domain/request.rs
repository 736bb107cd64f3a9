use serde_json::Value;

use super::fields::{read_object, Fields, FieldsError};
use super::{Duration, MaxMachines, ObjectId, Services};

/// The largest `POST /license/create` body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A validated `POST /license/create` body: nothing behind this re-checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateLicenseRequest {
    pub duration: Duration,
    pub client: ObjectId,
    pub project: ObjectId,
    pub services: Services,
    /// How many seats (machines) the license has.
    pub max_machines: MaxMachines,
}

/// Why a create body was refused, checked in this order (the original server's order first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestError {
    BodyTooLarge,
    UnsupportedMediaType,
    MalformedJson,
    DuplicateField,
    NotAnObject,
    InvalidDuration,
    ClientAndProjectRequired,
    InvalidClientId,
    InvalidProjectId,
    InvalidServices,
    /// `?limit=` is not an integer from 1 to 100.
    InvalidLimit,
    /// `?cursor=` is not one this server issued.
    InvalidCursor,
    /// `maxMachines` is not an integer from 1 to 1000.
    InvalidMaxMachines,
    /// A validate/activate/deactivate body without a `key`.
    LicenseKeyRequired,
    /// A `key` that is not a string.
    InvalidLicenseKey,
    InvalidMachineId,
    InvalidInstanceId,
    /// `?status=` is not one of the four statuses.
    InvalidStatus,
    ClientNameRequired,
    ClientEmailRequired,
    InvalidEmail,
    /// A name that is not a string, or longer than [`crate::domain::Name::MAX_CHARS`].
    InvalidName,
    ProjectNameRequired,
    ClientIdRequired,
    /// A `PATCH` body that changes nothing.
    NothingToUpdate,
}

impl RequestError {
    /// The client-facing message; the first four are the contract's own words.
    pub fn message(self) -> &'static str {
        match self {
            Self::InvalidDuration => "Invalid duration",
            Self::ClientAndProjectRequired => "Client & Project required",
            Self::BodyTooLarge => "Request body too large (limit 16 KiB)",
            Self::UnsupportedMediaType => "Content-Type must be application/json",
            Self::MalformedJson => "Malformed JSON body",
            Self::DuplicateField => "Duplicate field in JSON body",
            Self::NotAnObject => "Request body must be a JSON object",
            Self::InvalidClientId => "Invalid clientId: expected a 24-character hex ObjectId",
            Self::InvalidProjectId => "Invalid projectId: expected a 24-character hex ObjectId",
            Self::InvalidLimit => "Invalid limit: expected an integer from 1 to 100",
            Self::InvalidCursor => "Invalid cursor",
            Self::InvalidMaxMachines => "Invalid maxMachines: expected an integer from 1 to 1000",
            Self::LicenseKeyRequired => "License key is required",
            Self::InvalidLicenseKey => "Invalid key: expected a string",
            Self::InvalidMachineId => {
                "Invalid machineId: expected 1 to 128 characters, no control characters"
            }
            Self::InvalidInstanceId => {
                "Invalid instanceId: expected 1 to 128 characters, no control characters"
            }
            Self::InvalidStatus => "Invalid status: expected PENDING, ACTIVE, EXPIRED or REVOKED",
            Self::ClientNameRequired => "Client name required",
            Self::ClientEmailRequired => "Client email required",
            Self::InvalidEmail => "Invalid email",
            Self::InvalidName => "Invalid name: expected text of at most 100 characters",
            Self::ProjectNameRequired => "Project name required",
            Self::ClientIdRequired => "Client ID required",
            Self::NothingToUpdate => "Nothing to update",
            Self::InvalidServices => {
                "Invalid services: expected a non-empty array of \"Hosting\" and/or \"Domain\""
            }
        }
    }
}

/// The fields of a create body; anything else is ignored.
const CREATE_FIELDS: [&str; 5] = [
    "duration",
    "clientId",
    "projectId",
    "services",
    "maxMachines",
];

impl CreateLicenseRequest {
    /// Parses and validates a request body. An empty body counts as `{}`, as Express did.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let mut raw = read_fields(body, &CREATE_FIELDS)?;
        let duration =
            Duration::parse(raw.value("duration").as_ref()).ok_or(RequestError::InvalidDuration)?;
        let (client, project) = (raw.value("clientId"), raw.value("projectId"));
        let client = required(client.as_ref());
        let project = required(project.as_ref());
        let (Some(client), Some(project)) = (client, project) else {
            return Err(RequestError::ClientAndProjectRequired);
        };
        Ok(Self {
            duration,
            client: object_id(client).ok_or(RequestError::InvalidClientId)?,
            project: object_id(project).ok_or(RequestError::InvalidProjectId)?,
            services: Services::parse(raw.value("services").as_ref())
                .ok_or(RequestError::InvalidServices)?,
            max_machines: MaxMachines::parse(raw.value("maxMachines").as_ref())
                .ok_or(RequestError::InvalidMaxMachines)?,
        })
    }
}

/// The fields `names` of a JSON object body, each raw JSON until validated; any other field
/// is skipped unread. The size limit, then malformed JSON, a non-object and a named field given
/// twice, each told apart. An empty body counts as `{}`, as Express did.
pub(crate) fn read_fields(
    body: &[u8],
    names: &'static [&'static str],
) -> Result<Fields, RequestError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(RequestError::BodyTooLarge);
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Ok(Fields::empty(names)),
        Some(b'{') => {}
        Some(_) => {
            // Valid JSON that is not an object is told apart from text that is not JSON at all.
            return Err(match serde_json::from_slice::<Value>(body) {
                Ok(_) => RequestError::NotAnObject,
                Err(_) => RequestError::MalformedJson,
            });
        }
    }
    read_object(body, names).map_err(|e| match e {
        FieldsError::Duplicate => RequestError::DuplicateField,
        FieldsError::Malformed => RequestError::MalformedJson,
    })
}

/// A present value: not missing, not `null`, not `""` (those all mean "required").
pub(crate) fn required(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null() && v.as_str() != Some(""))
}

/// An ObjectId given as a JSON string.
pub(crate) fn object_id(value: &Value) -> Option<ObjectId> {
    ObjectId::parse(value.as_str()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Service;

    const CLIENT: &str = "60f7b3b3e6b3a72e8c8e4a1a";
    const PROJECT: &str = "60f7b3b3e6b3a72e8c8e4a1b";

    #[test]
    fn the_seed_example_parses() {
        let body = format!(
            r#"{{"duration":12,"clientId":"{CLIENT}","projectId":"{PROJECT}","services":["Hosting","Domain"]}}"#
        );
        let request = CreateLicenseRequest::parse(body.as_bytes()).unwrap();
        assert_eq!(request.duration.months(), 12);
        assert_eq!(request.client.to_string(), CLIENT);
        assert_eq!(request.project.to_string(), PROJECT);
        assert_eq!(
            request.services.as_slice(),
            [Service::Hosting, Service::Domain]
        );
    }

    #[test]
    fn services_default_and_unknown_fields_are_ignored() {
        let body =
            format!(r#"{{"duration":1,"clientId":"{CLIENT}","projectId":"{PROJECT}","note":"x"}}"#);
        let request = CreateLicenseRequest::parse(body.as_bytes()).unwrap();
        assert_eq!(request.services.as_slice(), [Service::Hosting]);
    }

    #[test]
    fn bad_bodies_are_refused_with_their_own_message() {
        use RequestError::*;
        let ok_ids = format!(r#""clientId":"{CLIENT}","projectId":"{PROJECT}""#);
        let cases: Vec<(String, RequestError, &str)> = vec![
            ("".into(), InvalidDuration, "an empty body is {}"),
            ("{}".into(), InvalidDuration, "nothing at all"),
            (format!("{{{ok_ids}}}"), InvalidDuration, "duration missing"),
            (
                format!(r#"{{"duration":0,{ok_ids}}}"#),
                InvalidDuration,
                "zero",
            ),
            (
                format!(r#"{{"duration":13,{ok_ids}}}"#),
                InvalidDuration,
                "thirteen",
            ),
            (
                format!(r#"{{"duration":1.5,{ok_ids}}}"#),
                InvalidDuration,
                "fraction",
            ),
            (
                format!(r#"{{"duration":"12",{ok_ids}}}"#),
                InvalidDuration,
                "string",
            ),
            (
                format!(r#"{{"duration":null,{ok_ids}}}"#),
                InvalidDuration,
                "null",
            ),
            (
                format!(r#"{{"duration":true,{ok_ids}}}"#),
                InvalidDuration,
                "boolean",
            ),
            (
                format!(r#"{{"duration":1e400,{ok_ids}}}"#),
                MalformedJson,
                "number out of range",
            ),
            (
                r#"{"duration":0}"#.into(),
                InvalidDuration,
                "duration is checked before ids",
            ),
            (
                r#"{"duration":3}"#.into(),
                ClientAndProjectRequired,
                "both ids missing",
            ),
            (
                format!(r#"{{"duration":3,"clientId":"{CLIENT}"}}"#),
                ClientAndProjectRequired,
                "project missing",
            ),
            (
                format!(r#"{{"duration":3,"projectId":"{PROJECT}"}}"#),
                ClientAndProjectRequired,
                "client missing",
            ),
            (
                format!(r#"{{"duration":3,"clientId":"","projectId":"{PROJECT}"}}"#),
                ClientAndProjectRequired,
                "empty client",
            ),
            (
                format!(r#"{{"duration":3,"clientId":"{CLIENT}","projectId":null}}"#),
                ClientAndProjectRequired,
                "null project",
            ),
            (
                r#"{"duration":3,"clientId":"abc","projectId":""}"#.into(),
                ClientAndProjectRequired,
                "presence before format",
            ),
            (
                format!(r#"{{"duration":3,"clientId":"abc","projectId":"{PROJECT}"}}"#),
                InvalidClientId,
                "short client",
            ),
            (
                format!(r#"{{"duration":3,"clientId":42,"projectId":"{PROJECT}"}}"#),
                InvalidClientId,
                "numeric client",
            ),
            (
                format!(r#"{{"duration":3,"clientId":"{CLIENT}","projectId":"{PROJECT}0"}}"#),
                InvalidProjectId,
                "long project",
            ),
            (
                format!(
                    r#"{{"duration":3,"clientId":"{CLIENT}","projectId":{{"$oid":"{PROJECT}"}}}}"#
                ),
                InvalidProjectId,
                "object project",
            ),
            (
                format!(r#"{{"duration":3,{ok_ids},"services":[]}}"#),
                InvalidServices,
                "no services",
            ),
            (
                format!(r#"{{"duration":3,{ok_ids},"services":["Email"]}}"#),
                InvalidServices,
                "unknown service",
            ),
            (
                format!(r#"{{"duration":3,{ok_ids},"services":"Hosting"}}"#),
                InvalidServices,
                "not an array",
            ),
            ("{".into(), MalformedJson, "truncated"),
            ("{\"duration\":3,}".into(), MalformedJson, "trailing comma"),
            ("duration=3".into(), MalformedJson, "form encoding"),
            (
                "{\"duration\":3}garbage".into(),
                MalformedJson,
                "trailing garbage",
            ),
            ("[1,2]".into(), NotAnObject, "array"),
            ("12".into(), NotAnObject, "number"),
            ("\"text\"".into(), NotAnObject, "string"),
            ("null".into(), NotAnObject, "null"),
            (
                r#"{"duration":3,"duration":4}"#.into(),
                DuplicateField,
                "duplicate key",
            ),
            ("x".repeat(MAX_BODY_BYTES + 1), BodyTooLarge, "over 16 KiB"),
        ];
        for (body, expected, why) in cases {
            assert_eq!(
                CreateLicenseRequest::parse(body.as_bytes()),
                Err(expected),
                "{why}: {body:.60}"
            );
        }
    }

    #[test]
    fn invalid_utf8_and_deep_nesting_are_refused_not_a_crash() {
        assert_eq!(
            CreateLicenseRequest::parse(b"{\"duration\":\xff}"),
            Err(RequestError::MalformedJson)
        );
        let nested = |field: &str, depth: usize| {
            format!("{{\"{field}\":{}{}}}", "[".repeat(depth), "]".repeat(depth))
        };
        // serde_json's recursion limit (128) holds for the fields that are read ...
        assert_eq!(
            CreateLicenseRequest::parse(nested("duration", 1000).as_bytes()),
            Err(RequestError::MalformedJson)
        );
        // ... unknown fields are skipped without recursion, so the next check decides ...
        assert_eq!(
            CreateLicenseRequest::parse(nested("x", 5000).as_bytes()),
            Err(RequestError::InvalidDuration)
        );
        // ... and the size limit bounds everything.
        assert_eq!(
            CreateLicenseRequest::parse(nested("x", 9000).as_bytes()),
            Err(RequestError::BodyTooLarge)
        );
    }

    #[test]
    fn the_contract_messages_are_exact() {
        assert_eq!(RequestError::InvalidDuration.message(), "Invalid duration");
        assert_eq!(
            RequestError::ClientAndProjectRequired.message(),
            "Client & Project required"
        );
    }
}
