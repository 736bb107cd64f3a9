//! A developer's project, under one of their clients; the body parsing of `POST /projects`,
//! `PATCH /projects/:id` and the compatibility route `POST /projects/createProject`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::client::to_millis;
use super::license::timestamp;
use super::request::{object_id, read_fields, required};
use super::text::{Name, NameProblem};
use super::{Cursor, Duration, MaxMachines, ObjectId, RequestError, Services, UserId};

/// A project as the API shows it, fields in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub name: Name,
    pub client: ObjectId,
    pub owner: UserId,
    #[serde(rename = "createdAt", serialize_with = "timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(rename = "updatedAt", serialize_with = "timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// A validated `POST /projects` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub name: Name,
    pub client: ObjectId,
}

/// A validated `PATCH /projects/:id` body (a project stays with its client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectChanges {
    pub name: Name,
}

/// A validated `POST /projects/createProject` body: a project and its first license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateProjectRequest {
    pub project: NewProject,
    pub duration: Duration,
    pub services: Services,
    /// The license's seats (`maxMachines`, default 1).
    pub max_machines: MaxMachines,
}

/// The fields of a project body; anything else is ignored. A `null` name is present.
const PROJECT_FIELDS: [&str; 2] = ["name", "clientId"];

/// The fields of the original `createProject` body.
const CREATE_PROJECT_FIELDS: [&str; 5] = [
    "clientId",
    "projectName",
    "duration",
    "services",
    "maxMachines",
];

fn name(value: Option<&Value>) -> Result<Name, RequestError> {
    Name::parse(value).map_err(|problem| match problem {
        NameProblem::Missing => RequestError::ProjectNameRequired,
        NameProblem::Invalid => RequestError::InvalidName,
    })
}

fn client_id(value: Option<&Value>) -> Result<ObjectId, RequestError> {
    let value = required(value).ok_or(RequestError::ClientIdRequired)?;
    object_id(value).ok_or(RequestError::InvalidClientId)
}

impl NewProject {
    /// Name, then the client's id (present, then an ObjectId).
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let mut raw = read_fields(body, &PROJECT_FIELDS)?;
        Ok(Self {
            name: name(raw.present("name").as_ref())?,
            client: client_id(raw.value("clientId").as_ref())?,
        })
    }
}

impl ProjectChanges {
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        match read_fields(body, &PROJECT_FIELDS)?.present("name") {
            None => Err(RequestError::NothingToUpdate),
            Some(value) => Ok(Self {
                name: name(Some(&value))?,
            }),
        }
    }
}

impl CreateProjectRequest {
    /// In the original `createProject`'s order: client, project name, duration, services.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let mut raw = read_fields(body, &CREATE_PROJECT_FIELDS)?;
        let client = client_id(raw.value("clientId").as_ref())?;
        let name = name(raw.value("projectName").as_ref())?;
        Ok(Self {
            project: NewProject { name, client },
            duration: Duration::parse(raw.value("duration").as_ref())
                .ok_or(RequestError::InvalidDuration)?,
            services: Services::parse(raw.value("services").as_ref())
                .ok_or(RequestError::InvalidServices)?,
            max_machines: MaxMachines::parse(raw.value("maxMachines").as_ref())
                .ok_or(RequestError::InvalidMaxMachines)?,
        })
    }
}

impl Project {
    /// Where a page of projects (newest first by `(createdAt, _id)`) ending here continues.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.created_at,
            id: self.id,
        }
    }

    /// A new project of `owner`, created (and so last updated) at `now`, to the millisecond.
    pub fn create(input: NewProject, owner: UserId, id: ObjectId, now: DateTime<Utc>) -> Self {
        let now = to_millis(now);
        Self {
            id,
            name: input.name,
            client: input.client,
            owner,
            created_at: now,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const CLIENT: &str = "60f7b3b3e6b3a72e8c8e4a1a";

    #[test]
    fn a_project_serialises_in_the_documented_order() {
        let body = format!(r#"{{"name":"Site","clientId":"{CLIENT}"}}"#);
        let input = NewProject::parse(body.as_bytes()).unwrap();
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1b").unwrap();
        let project = Project::create(input, UserId::parse("u1").unwrap(), id, at);
        assert_eq!(
            serde_json::to_string(&project).unwrap(),
            format!(
                r#"{{"_id":"60f7b3b3e6b3a72e8c8e4a1b","name":"Site","client":"{CLIENT}","owner":"u1","createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-01T00:00:00.000Z"}}"#
            )
        );
    }

    #[test]
    fn bad_project_bodies_get_their_own_message() {
        use RequestError::*;
        let cases = [
            ("{}".to_owned(), ProjectNameRequired),
            (format!(r#"{{"clientId":"{CLIENT}"}}"#), ProjectNameRequired),
            (r#"{"name":"Site"}"#.to_owned(), ClientIdRequired),
            (
                r#"{"name":"Site","clientId":""}"#.to_owned(),
                ClientIdRequired,
            ),
            (
                r#"{"name":"Site","clientId":"abc"}"#.to_owned(),
                InvalidClientId,
            ),
            (
                r#"{"name":"Site","clientId":7}"#.to_owned(),
                InvalidClientId,
            ),
            (
                format!(r#"{{"name":{{}},"clientId":"{CLIENT}"}}"#),
                InvalidName,
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(NewProject::parse(body.as_bytes()), Err(expected), "{body}");
        }
        assert_eq!(ProjectChanges::parse(b"{}"), Err(NothingToUpdate));
        assert_eq!(
            ProjectChanges::parse(br#"{"name":" New "}"#)
                .unwrap()
                .name
                .as_str(),
            "New"
        );
    }

    #[test]
    fn the_compatibility_body_is_checked_in_the_original_order() {
        use RequestError::*;
        let cases = [
            ("{}".to_owned(), ClientIdRequired),
            (
                r#"{"projectName":"P","duration":3}"#.to_owned(),
                ClientIdRequired,
            ),
            (
                format!(r#"{{"clientId":"{CLIENT}","duration":3}}"#),
                ProjectNameRequired,
            ),
            (
                format!(r#"{{"clientId":"{CLIENT}","projectName":"P"}}"#),
                InvalidDuration,
            ),
            (
                format!(r#"{{"clientId":"{CLIENT}","projectName":"P","duration":13}}"#),
                InvalidDuration,
            ),
            (
                format!(
                    r#"{{"clientId":"{CLIENT}","projectName":"P","duration":3,"services":[]}}"#
                ),
                InvalidServices,
            ),
            (
                r#"{"clientId":"x","projectName":"P","duration":3}"#.to_owned(),
                InvalidClientId,
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(
                CreateProjectRequest::parse(body.as_bytes()),
                Err(expected),
                "{body}"
            );
        }
        let ok = format!(r#"{{"clientId":"{CLIENT}","projectName":"P","duration":3}}"#);
        let parsed = CreateProjectRequest::parse(ok.as_bytes()).unwrap();
        assert_eq!(parsed.duration.months(), 3);
        assert_eq!(
            parsed.services.as_slice(),
            [crate::domain::Service::Hosting]
        );
    }
}
