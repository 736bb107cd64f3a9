//! A developer's client: who licenses are for. Owned by the developer who created it; the
//! body parsing of `POST /clients` and `PATCH /clients/:id`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::license::timestamp;
use super::request::read_fields;
use super::text::{Email, Name, NameProblem};
use super::{Cursor, ObjectId, RequestError, UserId};

/// A client as the API shows it, fields in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub name: Name,
    pub email: Email,
    pub owner: UserId,
    #[serde(rename = "createdAt", serialize_with = "timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(rename = "updatedAt", serialize_with = "timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// A validated `POST /clients` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub name: Name,
    pub email: Email,
}

/// A validated `PATCH /clients/:id` body: at least one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientChanges {
    pub name: Option<Name>,
    pub email: Option<Email>,
}

/// The fields of a client body; anything else is ignored. `null` is present (and invalid).
const CLIENT_FIELDS: [&str; 2] = ["name", "email"];

fn name(value: Option<&Value>) -> Result<Name, RequestError> {
    Name::parse(value).map_err(|problem| match problem {
        NameProblem::Missing => RequestError::ClientNameRequired,
        NameProblem::Invalid => RequestError::InvalidName,
    })
}

fn email(value: Option<&Value>) -> Result<Email, RequestError> {
    match value {
        None | Some(Value::Null) => Err(RequestError::ClientEmailRequired),
        Some(Value::String(text)) if text.trim().is_empty() => {
            Err(RequestError::ClientEmailRequired)
        }
        Some(Value::String(text)) => Email::parse(text).ok_or(RequestError::InvalidEmail),
        Some(_) => Err(RequestError::InvalidEmail),
    }
}

impl NewClient {
    /// Name first, then email, as the original server checked them.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let mut raw = read_fields(body, &CLIENT_FIELDS)?;
        Ok(Self {
            name: name(raw.present("name").as_ref())?,
            email: email(raw.present("email").as_ref())?,
        })
    }
}

impl ClientChanges {
    /// A field that is present must be valid; an absent one is left as it is.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let mut raw = read_fields(body, &CLIENT_FIELDS)?;
        let changes = Self {
            name: raw.present("name").map(|v| name(Some(&v))).transpose()?,
            email: raw.present("email").map(|v| email(Some(&v))).transpose()?,
        };
        if changes.name.is_none() && changes.email.is_none() {
            return Err(RequestError::NothingToUpdate);
        }
        Ok(changes)
    }
}

impl Client {
    /// Where a page of clients (newest first by `(createdAt, _id)`) ending here continues.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.created_at,
            id: self.id,
        }
    }

    /// A new client of `owner`, created (and so last updated) at `now`, to the millisecond.
    pub fn create(input: NewClient, owner: UserId, id: ObjectId, now: DateTime<Utc>) -> Self {
        let now = to_millis(now);
        Self {
            id,
            name: input.name,
            email: input.email,
            owner,
            created_at: now,
            updated_at: now,
        }
    }
}

/// `at` truncated to the millisecond, the precision stored and shown.
pub fn to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_client_serialises_in_the_documented_order() {
        let input = NewClient::parse(br#"{"name":" Acme ","email":"Dev@Acme.io"}"#).unwrap();
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
        let client = Client::create(input, UserId::parse("u1").unwrap(), id, at);
        assert_eq!(
            serde_json::to_string(&client).unwrap(),
            r#"{"_id":"60f7b3b3e6b3a72e8c8e4a1a","name":"Acme","email":"Dev@Acme.io","owner":"u1","createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-01T00:00:00.000Z"}"#
        );
    }

    #[test]
    fn bad_client_bodies_get_their_own_message() {
        use RequestError::*;
        for (body, expected) in [
            ("", ClientNameRequired),
            ("{}", ClientNameRequired),
            (r#"{"email":"a@b.io"}"#, ClientNameRequired),
            (r#"{"name":"  ","email":"a@b.io"}"#, ClientNameRequired),
            (r#"{"name":7,"email":"a@b.io"}"#, InvalidName),
            (r#"{"name":"Acme"}"#, ClientEmailRequired),
            (r#"{"name":"Acme","email":""}"#, ClientEmailRequired),
            (r#"{"name":"Acme","email":"nope"}"#, InvalidEmail),
            (r#"{"name":"Acme","email":["a@b.io"]}"#, InvalidEmail),
            ("[]", NotAnObject),
            ("{", MalformedJson),
            (
                r#"{"name":"a","name":"b","email":"a@b.io"}"#,
                DuplicateField,
            ),
        ] {
            assert_eq!(NewClient::parse(body.as_bytes()), Err(expected), "{body}");
        }
    }

    #[test]
    fn a_patch_changes_what_it_names_and_must_name_something() {
        let only_email = ClientChanges::parse(br#"{"email":"new@acme.io"}"#).unwrap();
        assert_eq!(only_email.name, None);
        assert_eq!(only_email.email.unwrap().as_str(), "new@acme.io");
        for (body, expected) in [
            ("{}", RequestError::NothingToUpdate),
            (r#"{"other":1}"#, RequestError::NothingToUpdate),
            (r#"{"name":null}"#, RequestError::ClientNameRequired),
            (r#"{"email":"x"}"#, RequestError::InvalidEmail),
        ] {
            assert_eq!(
                ClientChanges::parse(body.as_bytes()),
                Err(expected),
                "{body}"
            );
        }
    }
}
