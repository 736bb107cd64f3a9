//! `clients` and `projects` rows as D1 returns them, read back into the domain. Pure, so the
//! mapping is tested natively; `owned.rs` does the I/O.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::domain::{Client, Email, Name, ObjectId, Project, UserId};

/// The columns `owned.rs` selects from `clients`.
#[derive(Debug, Deserialize)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub owner: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The columns `owned.rs` selects from `projects`.
#[derive(Debug, Deserialize)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub owner: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `SELECT (client owned) AS client, (project owned) AS project, (project under client) AS
/// matched`: why a license insert was refused.
#[derive(Debug, Deserialize)]
pub struct OwnershipRow {
    pub client: u8,
    pub project: u8,
}

fn timestamp(text: &str, bad: impl Fn() -> String) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad())
}

impl ClientRow {
    pub fn into_client(self) -> Result<Client, String> {
        let bad = |column: &str| format!("unreadable clients.{column} in row {}", self.id);
        Ok(Client {
            id: ObjectId::parse(&self.id).map_err(|_| bad("id"))?,
            name: Name::from_stored(self.name.clone()),
            email: Email::from_stored(self.email.clone()),
            owner: UserId::parse(&self.owner).ok_or_else(|| bad("owner"))?,
            created_at: timestamp(&self.created_at, || bad("created_at"))?,
            updated_at: timestamp(&self.updated_at, || bad("updated_at"))?,
        })
    }
}

impl ProjectRow {
    pub fn into_project(self) -> Result<Project, String> {
        let bad = |column: &str| format!("unreadable projects.{column} in row {}", self.id);
        Ok(Project {
            id: ObjectId::parse(&self.id).map_err(|_| bad("id"))?,
            name: Name::from_stored(self.name.clone()),
            client: ObjectId::parse(&self.client_id).map_err(|_| bad("client_id"))?,
            owner: UserId::parse(&self.owner).ok_or_else(|| bad("owner"))?,
            created_at: timestamp(&self.created_at, || bad("created_at"))?,
            updated_at: timestamp(&self.updated_at, || bad("updated_at"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_as_the_objects_the_api_shows() {
        let client = ClientRow {
            id: "60f7b3b3e6b3a72e8c8e4a1a".into(),
            name: "Acme".into(),
            email: "Dev@Acme.io".into(),
            owner: "auth0|1".into(),
            created_at: "2024-01-01T00:00:00.000Z".into(),
            updated_at: "2024-01-02T00:00:00.000Z".into(),
        }
        .into_client()
        .unwrap();
        assert_eq!(
            serde_json::to_string(&client).unwrap(),
            r#"{"_id":"60f7b3b3e6b3a72e8c8e4a1a","name":"Acme","email":"Dev@Acme.io","owner":"auth0|1","createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-02T00:00:00.000Z"}"#
        );
        let bad = ProjectRow {
            id: "60f7b3b3e6b3a72e8c8e4a1b".into(),
            name: "Site".into(),
            client_id: "nope".into(),
            owner: "u".into(),
            created_at: "2024-01-01T00:00:00.000Z".into(),
            updated_at: "2024-01-01T00:00:00.000Z".into(),
        };
        assert!(bad
            .into_project()
            .unwrap_err()
            .contains("projects.client_id"));
    }
}
