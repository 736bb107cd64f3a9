//! The answers' JSON: each domain object as the API shows it, written member by member
//! (`domain::json_text`) in the contract's order. One writer for every answer instead of a
//! `Serialize` implementation per answer type: each of those was compiled into the module for
//! serde_json's serializer. The unit tests below hold each shape to the domain types' own
//! `Serialize` (what the tests and the token claims use).

use crate::domain::json_text::{array, Obj};
use crate::domain::{format_timestamp, Client, License, Project, Seat};

/// The contract's license: `key`, `duration`, `issuedAt`, `expiresAt`, `status`, `services`,
/// `user`, `client`, `project`, `_id`.
pub fn license(license: &License) -> String {
    license_members(license).end()
}

/// The developer's view: the contract's fields, then `maxMachines` and `seats`.
pub fn license_details(license: &License) -> String {
    let seats: Vec<String> = license.seats.iter().map(seat).collect();
    license_members(license)
        .int("maxMachines", u64::from(license.max_machines.get()))
        .raw("seats", &array(&seats))
        .end()
}

fn license_members(license: &License) -> Obj {
    let mut members = Obj::new();
    members
        .str("key", license.key.as_str())
        .int("duration", u64::from(license.duration.months()))
        .str("issuedAt", &format_timestamp(license.issued_at))
        .str("expiresAt", &format_timestamp(license.expires_at))
        .str("status", license.status.as_str())
        .raw("services", &license.services.to_json())
        .str("user", license.user.as_str())
        .str("client", &license.client.to_string())
        .str("project", &license.project.to_string())
        .str("_id", &license.id.to_string());
    members
}

fn seat(seat: &Seat) -> String {
    Obj::new()
        .opt_str("machineId", seat.machine.as_ref().map(|m| m.as_str()))
        .opt_str("instanceId", seat.instance.as_ref().map(|i| i.as_str()))
        .str("activatedAt", &format_timestamp(seat.activated_at))
        .end()
}

/// `_id`, `name`, `email`, `owner`, `createdAt`, `updatedAt`.
pub fn client(client: &Client) -> String {
    Obj::new()
        .str("_id", &client.id.to_string())
        .str("name", client.name.as_str())
        .str("email", client.email.as_str())
        .str("owner", client.owner.as_str())
        .str("createdAt", &format_timestamp(client.created_at))
        .str("updatedAt", &format_timestamp(client.updated_at))
        .end()
}

/// `_id`, `name`, `client`, `owner`, `createdAt`, `updatedAt`.
pub fn project(project: &Project) -> String {
    Obj::new()
        .str("_id", &project.id.to_string())
        .str("name", project.name.as_str())
        .str("client", &project.client.to_string())
        .str("owner", project.owner.as_str())
        .str("createdAt", &format_timestamp(project.created_at))
        .str("updatedAt", &format_timestamp(project.updated_at))
        .end()
}

/// A page of a list: `{"<name>": [...], "nextCursor": "..." | null}`.
pub fn page(name: &str, items: &[String], next_cursor: Option<&str>) -> String {
    Obj::new()
        .raw(name, &array(items))
        .opt_str("nextCursor", next_cursor)
        .end()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::{
        CreateLicenseRequest, Email, LicenseKey, Name, ObjectId, SeatName, UserId,
    };

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn sample_license() -> License {
        let body = br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Domain","Hosting"],"maxMachines":3}"#;
        let mut license = License::issue(
            &CreateLicenseRequest::parse(body).unwrap(),
            UserId::parse("auth0|\"q\"").unwrap(),
            Utc.timestamp_millis_opt(1_704_067_200_123).unwrap(),
            ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap(),
            LicenseKey::from_stored("KB-60f7b3b3e6b3a72e8c8e4a1b-A1B2-C3D4-E5F6".into()),
        );
        license.seats.push(Seat {
            machine: Some(SeatName::from_stored("m-1".into())),
            instance: None,
            activated_at: Utc.timestamp_millis_opt(1_700_000_000_123).unwrap(),
        });
        license
    }

    #[test]
    fn a_license_is_written_as_its_serialize_shape_in_the_same_order() {
        let license = sample_license();
        let text = super::license(&license);
        assert_eq!(text, serde_json::to_string(&license).unwrap());
        let details = parsed(&license_details(&license));
        let mut expected = serde_json::to_value(&license).unwrap();
        expected["maxMachines"] = json!(license.max_machines.get());
        expected["seats"] = serde_json::to_value(&license.seats).unwrap();
        assert_eq!(details, expected);
        assert_eq!(
            details["seats"][0],
            json!({"machineId": "m-1", "instanceId": null, "activatedAt": "2023-11-14T22:13:20.123Z"})
        );
    }

    #[test]
    fn clients_projects_and_pages_are_written_as_their_serialize_shapes() {
        let at = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let owner = UserId::parse("u\\1").unwrap();
        let client = Client {
            id: ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap(),
            name: Name::from_stored("Acme \"EU\"".into()),
            email: Email::from_stored("dev@acme.io".into()),
            owner: owner.clone(),
            created_at: at,
            updated_at: at,
        };
        assert_eq!(
            super::client(&client),
            serde_json::to_string(&client).unwrap()
        );
        let project = Project {
            id: ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1b").unwrap(),
            name: Name::from_stored("Site".into()),
            client: client.id,
            owner,
            created_at: at,
            updated_at: at,
        };
        assert_eq!(
            super::project(&project),
            serde_json::to_string(&project).unwrap()
        );
        assert_eq!(
            parsed(&page("clients", &[super::client(&client)], Some("c1"))),
            json!({"clients": [serde_json::to_value(&client).unwrap()], "nextCursor": "c1"})
        );
        assert_eq!(
            page("projects", &[], None),
            r#"{"projects":[],"nextCursor":null}"#
        );
    }
}
