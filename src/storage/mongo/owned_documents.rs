//! Clients and projects as the documents the original KeyBox Mongoose models store (`_id`
//! ObjectId, `user` as a license's user, `client` an ObjectId ref, Mongoose's `createdAt` /
//! `updatedAt` dates), the filters that find them, and their reading back. Pure.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use super::decoding::{date, object_id, user};
use super::documents::{stored_user, Date, Oid, User};
use crate::domain::{Client, Email, Name, ObjectId, PageRequest, Project, UserId};

/// A client document (field order: `_id`, then the model's).
#[derive(Serialize)]
pub(super) struct ClientDocument<'a> {
    #[serde(rename = "_id")]
    id: Oid<'a>,
    name: &'a str,
    email: &'a str,
    user: User<'a>,
    #[serde(rename = "createdAt")]
    created_at: Date,
    #[serde(rename = "updatedAt")]
    updated_at: Date,
}

impl<'a> ClientDocument<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        Self {
            id: Oid(&client.id),
            name: client.name.as_str(),
            email: client.email.as_str(),
            user: User::of(&client.owner),
            created_at: Date(client.created_at.timestamp_millis()),
            updated_at: Date(client.updated_at.timestamp_millis()),
        }
    }
}

/// A project document.
#[derive(Serialize)]
pub(super) struct ProjectDocument<'a> {
    #[serde(rename = "_id")]
    id: Oid<'a>,
    name: &'a str,
    client: Oid<'a>,
    user: User<'a>,
    #[serde(rename = "createdAt")]
    created_at: Date,
    #[serde(rename = "updatedAt")]
    updated_at: Date,
}

impl<'a> ProjectDocument<'a> {
    pub(super) fn new(project: &'a Project) -> Self {
        Self {
            id: Oid(&project.id),
            name: project.name.as_str(),
            client: Oid(&project.client),
            user: User::of(&project.owner),
            created_at: Date(project.created_at.timestamp_millis()),
            updated_at: Date(project.updated_at.timestamp_millis()),
        }
    }
}

pub(super) fn oid(id: &ObjectId) -> Value {
    serde_json::to_value(Oid(id)).unwrap_or_default()
}

pub(super) fn at(time: DateTime<Utc>) -> Value {
    serde_json::to_value(Date(time.timestamp_millis())).unwrap_or_default()
}

/// `{_id, user}`: the caller's object `id`, and nobody else's.
pub(super) fn owned(owner: &UserId, id: &ObjectId) -> Value {
    json!({"_id": oid(id), "user": stored_user(owner)})
}

/// The caller's objects (`extra` fields added) after the page's cursor: newest first by
/// `(createdAt, _id)`, strictly older than the cursor.
pub(super) fn page_filter(owner: &UserId, extra: Value, page: &PageRequest) -> Value {
    let mut filter = json!({"user": stored_user(owner)});
    if let (Some(map), Some(extra)) = (filter.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    if let Some(cursor) = page.after {
        filter["$or"] = json!([
            {"createdAt": {"$lt": at(cursor.at)}},
            {"createdAt": at(cursor.at), "_id": {"$lt": oid(&cursor.id)}},
        ]);
    }
    filter
}

/// The `sort` and `limit` of a page's `find`.
pub(super) fn page_options(page: &PageRequest) -> (Value, Value) {
    (json!({"createdAt": -1, "_id": -1}), json!(page.fetch()))
}

fn field<'a>(document: &'a Value, name: &str) -> Result<&'a Value, String> {
    document
        .get(name)
        .ok_or_else(|| format!("document has no {name}"))
}

fn text(document: &Value, name: &str) -> Result<String, String> {
    field(document, name)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("unreadable {name}"))
}

/// A client document read back (canonical EJSON or plain JSON).
pub(super) fn client_of(document: &Value) -> Result<Client, String> {
    let bad = |name: &str| format!("unreadable {name} in client document");
    Ok(Client {
        id: object_id(field(document, "_id")?).ok_or_else(|| bad("_id"))?,
        name: Name::from_stored(text(document, "name")?),
        email: Email::from_stored(text(document, "email")?),
        owner: user(field(document, "user")?).ok_or_else(|| bad("user"))?,
        created_at: date(field(document, "createdAt")?).ok_or_else(|| bad("createdAt"))?,
        updated_at: date(field(document, "updatedAt")?).ok_or_else(|| bad("updatedAt"))?,
    })
}

/// A project document read back.
pub(super) fn project_of(document: &Value) -> Result<Project, String> {
    let bad = |name: &str| format!("unreadable {name} in project document");
    Ok(Project {
        id: object_id(field(document, "_id")?).ok_or_else(|| bad("_id"))?,
        name: Name::from_stored(text(document, "name")?),
        client: object_id(field(document, "client")?).ok_or_else(|| bad("client"))?,
        owner: user(field(document, "user")?).ok_or_else(|| bad("user"))?,
        created_at: date(field(document, "createdAt")?).ok_or_else(|| bad("createdAt"))?,
        updated_at: date(field(document, "updatedAt")?).ok_or_else(|| bad("updatedAt"))?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::NewClient;

    fn client() -> Client {
        let input = NewClient::parse(br#"{"name":"Acme","email":"Dev@Acme.io"}"#).unwrap();
        let at = Utc.timestamp_millis_opt(1_704_067_200_123).unwrap();
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
        Client::create(
            input,
            UserId::parse("60f7b3b3e6b3a72e8c8e4a1d").unwrap(),
            id,
            at,
        )
    }

    #[test]
    fn a_client_is_stored_with_the_mongoose_models_types_and_reads_back() {
        let document = serde_json::to_value(ClientDocument::new(&client())).unwrap();
        assert_eq!(
            document,
            json!({
                "_id": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"}, "name": "Acme", "email": "Dev@Acme.io",
                "user": {"$oid": "60f7b3b3e6b3a72e8c8e4a1d"},
                "createdAt": {"$date": {"$numberLong": "1704067200123"}},
                "updatedAt": {"$date": {"$numberLong": "1704067200123"}},
            })
        );
        assert_eq!(client_of(&document), Ok(client()));
    }

    #[test]
    fn a_page_filter_is_scoped_to_the_owner_and_starts_after_the_cursor() {
        let owner = UserId::parse("auth0|1").unwrap();
        let first = PageRequest::parse(None, None).unwrap();
        assert_eq!(
            page_filter(&owner, json!({}), &first),
            json!({"user": "auth0|1"})
        );
        let cursor = crate::domain::Cursor {
            at: Utc.timestamp_millis_opt(5).unwrap(),
            id: ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap(),
        };
        let next = PageRequest::parse(Some("3"), Some(&cursor.encode())).unwrap();
        let filter = page_filter(&owner, json!({"client": {"$oid": "x"}}), &next);
        assert_eq!(filter["client"], json!({"$oid": "x"}));
        assert_eq!(
            filter["$or"][1]["_id"],
            json!({"$lt": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"}})
        );
        assert_eq!(page_options(&next).1, json!(4));
    }
}
