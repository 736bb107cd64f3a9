//! `clients` and `projects` rows as D1 returns them, read back into the domain. Pure, so the
//! mapping is tested natively; `owned.rs` does the I/O.

use chrono::{DateTime, Utc};

use super::rows::{text_column, FromRow};
use crate::domain::fields::Fields;
use crate::domain::{Client, Email, Name, ObjectId, Project, UserId};

/// The columns `owned.rs` selects from `clients`.
#[derive(Debug)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub owner: String,
    pub created_at: String,
    pub updated_at: String,
}

impl FromRow for ClientRow {
    const COLUMNS: &'static [&'static str] =
        &["id", "name", "email", "owner", "created_at", "updated_at"];

    fn from_row(mut row: Fields) -> Result<Self, String> {
        let mut text = |name| text_column(&mut row, "clients", name);
        Ok(Self {
            id: text("id")?,
            name: text("name")?,
            email: text("email")?,
            owner: text("owner")?,
            created_at: text("created_at")?,
            updated_at: text("updated_at")?,
        })
    }
}

/// The columns `owned.rs` selects from `projects`.
#[derive(Debug)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub owner: String,
    pub created_at: String,
    pub updated_at: String,
}

impl FromRow for ProjectRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "client_id",
        "owner",
        "created_at",
        "updated_at",
    ];

    fn from_row(mut row: Fields) -> Result<Self, String> {
        let mut text = |name| text_column(&mut row, "projects", name);
        Ok(Self {
            id: text("id")?,
            name: text("name")?,
            client_id: text("client_id")?,
            owner: text("owner")?,
            created_at: text("created_at")?,
            updated_at: text("updated_at")?,
        })
    }
}

/// `SELECT (client owned) AS client, (project owned) AS project, (project under client) AS
/// matched`: why a license insert was refused.
#[derive(Debug)]
pub struct OwnershipRow {
    pub client: u8,
    pub project: u8,
}

impl FromRow for OwnershipRow {
    const COLUMNS: &'static [&'static str] = &["client", "project"];

    fn from_row(mut row: Fields) -> Result<Self, String> {
        let mut flag = |name| {
            row.unsigned(name)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| format!("unreadable ownership.{name}"))
        };
        Ok(Self {
            client: flag("client")?,
            project: flag("project")?,
        })
    }
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

    fn read<T: FromRow>(json: &str) -> Result<T, String> {
        T::from_row(crate::domain::fields::read_object(json.as_bytes(), T::COLUMNS).unwrap())
    }

    #[test]
    fn rows_as_d1_returns_them_are_read_column_by_column() {
        let client: ClientRow = read(
            r#"{"id":"60f7b3b3e6b3a72e8c8e4a1a","name":"Acme","email":"a@b.io","owner":"u","created_at":"2024-01-01T00:00:00.000Z","updated_at":"2024-01-01T00:00:00.000Z"}"#,
        )
        .unwrap();
        assert_eq!(
            (client.name.as_str(), client.email.as_str()),
            ("Acme", "a@b.io")
        );
        let missing = read::<ProjectRow>(r#"{"id":"x","name":"Site","owner":"u"}"#).unwrap_err();
        assert!(missing.contains("projects.client_id"), "{missing}");
        let ownership: OwnershipRow = read(r#"{"client":1,"project":0,"matched":0}"#).unwrap();
        assert_eq!((ownership.client, ownership.project), (1, 0));
        let odd = read::<OwnershipRow>(r#"{"client":null,"project":0}"#).unwrap_err();
        assert!(odd.contains("ownership.client"), "{odd}");
    }

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
