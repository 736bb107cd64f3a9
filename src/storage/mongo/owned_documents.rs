//! Clients and projects as the documents the original KeyBox Mongoose models store (`_id`
//! ObjectId, `user` as a license's user, `client` an ObjectId ref, Mongoose's `createdAt` /
//! `updatedAt` dates), the filters that find them, and their reading back. Pure.

use serde_json::Value;

use super::decoding::{date, object_id, user};
use super::ejson::{self, array, member, oid, Obj};
use crate::domain::{Client, Cursor, Email, Name, ObjectId, PageRequest, Project, UserId};

/// A client document (field order: `_id`, then the model's).
pub(super) fn client_document(client: &Client) -> String {
    Obj::new()
        .raw("_id", &oid(&client.id))
        .str("name", client.name.as_str())
        .str("email", client.email.as_str())
        .raw("user", &ejson::user(&client.owner))
        .raw("createdAt", &ejson::date(client.created_at))
        .raw("updatedAt", &ejson::date(client.updated_at))
        .end()
}

/// A project document.
pub(super) fn project_document(project: &Project) -> String {
    Obj::new()
        .raw("_id", &oid(&project.id))
        .str("name", project.name.as_str())
        .raw("client", &oid(&project.client))
        .raw("user", &ejson::user(&project.owner))
        .raw("createdAt", &ejson::date(project.created_at))
        .raw("updatedAt", &ejson::date(project.updated_at))
        .end()
}

/// `{_id, user}`: the caller's object `id`, and nobody else's.
pub(super) fn owned(owner: &UserId, id: &ObjectId) -> String {
    Obj::new()
        .raw("_id", &oid(id))
        .raw("user", &ejson::user(owner))
        .end()
}

/// The caller's objects (of `client`, when given) after the page's cursor: newest first by
/// `(createdAt, _id)`, strictly older than the cursor.
pub(super) fn page_filter(owner: &UserId, client: Option<&ObjectId>, page: &PageRequest) -> String {
    let mut filter = Obj::new();
    filter.raw("user", &ejson::user(owner));
    if let Some(client) = client {
        filter.raw("client", &oid(client));
    }
    if let Some(cursor) = page.after {
        filter.raw("$or", &older_than("createdAt", &cursor));
    }
    filter.end()
}

/// The `$or` of a keyset page after `cursor`, newest first by `(time_field, _id)`: strictly
/// older, or as old with a smaller `_id`. The licenses' list (by `issuedAt`) and the clients'
/// and projects' (by `createdAt`) share it.
pub(super) fn older_than(time_field: &str, cursor: &Cursor) -> String {
    let at = ejson::date(cursor.at);
    let same_time = Obj::new()
        .raw(time_field, &at)
        .raw("_id", &member("$lt", &oid(&cursor.id)))
        .end();
    array(&[member(time_field, &member("$lt", &at)), same_time])
}

/// The `sort` and `limit` of a page's `find` (the sort's keys in order: a document, not a map).
pub(super) fn page_options(page: &PageRequest) -> (&'static str, u64) {
    (r#"{"createdAt":-1,"_id":-1}"#, page.fetch() as u64)
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
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::domain::NewClient;
    use crate::storage::mongo::testing::parsed;

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
        let document = parsed(&client_document(&client()));
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
            parsed(&page_filter(&owner, None, &first)),
            json!({"user": "auth0|1"})
        );
        let cursor = crate::domain::Cursor {
            at: Utc.timestamp_millis_opt(5).unwrap(),
            id: ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap(),
        };
        let next = PageRequest::parse(Some("3"), Some(&cursor.encode())).unwrap();
        let client = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1b").unwrap();
        let filter = parsed(&page_filter(&owner, Some(&client), &next));
        assert_eq!(
            filter["client"],
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1b"})
        );
        assert_eq!(filter["user"], "auth0|1");
        assert_eq!(
            filter["$or"][0],
            json!({"createdAt": {"$lt": {"$date": {"$numberLong": "5"}}}})
        );
        assert_eq!(
            filter["$or"][1]["_id"],
            json!({"$lt": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"}})
        );
        assert_eq!(page_options(&next), (r#"{"createdAt":-1,"_id":-1}"#, 4));
    }
}
