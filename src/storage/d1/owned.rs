//! Clients and projects in D1 (`migrations/0003_clients_projects.sql`). Every statement names
//! the owner; every write is one statement (or one `batch`, a transaction), its condition
//! inside it. A refusal is explained with a read only after the write did nothing.

use chrono::{DateTime, Utc};

use super::owned_rows::{ClientRow, OwnershipRow, ProjectRow};
use super::store::{
    classify_insert_error, failed, license_values, number, optional, text, D1Store, Param,
    INSERT_LICENSE,
};
use crate::domain::{
    format_timestamp, Client, ClientChanges, License, ObjectId, Page, PageRequest, Project,
    ProjectChanges, UserId,
};
use crate::storage::{ClientStore, ProjectStore, Refusal, StoreError};

const CLIENT_COLUMNS: &str = "id, name, email, owner, created_at, updated_at";
const PROJECT_COLUMNS: &str = "id, name, client_id, owner, created_at, updated_at";

const INSERT_CLIENT: &str = "INSERT INTO clients \
    (id, name, email, email_lower, owner, created_at, updated_at) \
    VALUES (?1, ?2, ?3, lower(?3), ?4, ?5, ?5)";

/// Keyset page, newest first: `?2` the cursor's time (NULL for the first page), `?3` its id.
const LIST_CLIENTS: &str = "SELECT id, name, email, owner, created_at, updated_at FROM clients \
    WHERE owner = ?1 AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
    ORDER BY created_at DESC, id DESC LIMIT ?4";

const UPDATE_CLIENT: &str = "UPDATE clients SET name = coalesce(?3, name), \
    email = coalesce(?4, email), email_lower = coalesce(lower(?4), email_lower), updated_at = ?5 \
    WHERE id = ?1 AND owner = ?2 \
    RETURNING id, name, email, owner, created_at, updated_at";

const DELETE_CLIENT: &str = "DELETE FROM clients WHERE id = ?1 AND owner = ?2 \
    AND NOT EXISTS (SELECT 1 FROM projects WHERE client_id = ?1) RETURNING id";

/// `client_id` comes from the caller's client: NULL (a NOT NULL failure, nothing written)
/// when the client is missing or another developer's.
const INSERT_PROJECT: &str = "INSERT INTO projects \
    (id, name, client_id, owner, created_at, updated_at) \
    VALUES (?1, ?2, (SELECT id FROM clients WHERE id = ?3 AND owner = ?4), ?4, ?5, ?5)";

const LIST_PROJECTS: &str = "SELECT id, name, client_id, owner, created_at, updated_at \
    FROM projects WHERE owner = ?1 AND client_id = ?5 \
    AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
    ORDER BY created_at DESC, id DESC LIMIT ?4";

const UPDATE_PROJECT: &str = "UPDATE projects SET name = ?3, updated_at = ?4 \
    WHERE id = ?1 AND owner = ?2 \
    RETURNING id, name, client_id, owner, created_at, updated_at";

const DELETE_PROJECT: &str = "DELETE FROM projects WHERE id = ?1 AND owner = ?2 \
    AND NOT EXISTS (SELECT 1 FROM licenses WHERE project_id = ?1 \
                    AND status NOT IN ('REVOKED', 'EXPIRED')) RETURNING id";

const LICENSE_OWNERSHIP: &str = "SELECT \
    EXISTS (SELECT 1 FROM clients WHERE id = ?1 AND owner = ?3) AS client, \
    EXISTS (SELECT 1 FROM projects WHERE id = ?2 AND owner = ?3) AS project";

/// The cursor's bound values: `(time, id)`, or NULLs for the first page.
fn after(page: &PageRequest) -> [Param; 2] {
    [
        optional(page.after.map(|c| format_timestamp(c.at))),
        optional(page.after.map(|c| c.id.to_string())),
    ]
}

fn limit(page: &PageRequest) -> Param {
    number(page.fetch() as u64)
}

fn unique_email(detail: String, operation: &'static str) -> StoreError {
    if detail.contains("UNIQUE constraint failed: clients.owner, clients.email_lower") {
        StoreError::Refused(Refusal::EmailTaken)
    } else if detail.contains("UNIQUE constraint failed: clients.id") {
        StoreError::Duplicate
    } else {
        StoreError::Unavailable { operation, detail }
    }
}

fn project_insert_error(detail: String) -> StoreError {
    if detail.contains("NOT NULL constraint failed: projects.client_id") {
        StoreError::Refused(Refusal::ClientNotFound)
    } else if detail.contains("UNIQUE constraint failed: projects.id") {
        StoreError::Duplicate
    } else {
        classify_insert_error(detail)
    }
}

impl D1Store {
    /// Why a license insert was refused (see `INSERT_LICENSE`).
    pub(super) async fn license_refusal(&self, license: &License) -> Result<Refusal, StoreError> {
        const OPERATION: &str = "explain license refusal";
        let values = [
            text(license.client.to_string()),
            text(license.project.to_string()),
            text(license.user.as_str()),
        ];
        let row: Option<OwnershipRow> = self
            .first(LICENSE_OWNERSHIP, &values)
            .await
            .map_err(failed(OPERATION))?;
        Ok(match row {
            Some(OwnershipRow { client: 0, .. }) | None => Refusal::ClientNotFound,
            Some(OwnershipRow { project: 0, .. }) => Refusal::ProjectNotFound,
            Some(_) => Refusal::ProjectNotOfClient,
        })
    }

    async fn one_client(
        &self,
        operation: &'static str,
        sql: &str,
        values: &[Param],
    ) -> Result<Option<Client>, StoreError> {
        let row: Option<ClientRow> = self.first(sql, values).await.map_err(failed(operation))?;
        row.map(ClientRow::into_client)
            .transpose()
            .map_err(failed(operation))
    }

    async fn one_project(
        &self,
        operation: &'static str,
        sql: &str,
        values: &[Param],
    ) -> Result<Option<Project>, StoreError> {
        let row: Option<ProjectRow> = self.first(sql, values).await.map_err(failed(operation))?;
        row.map(ProjectRow::into_project)
            .transpose()
            .map_err(failed(operation))
    }
}

fn owned_id(owner: &UserId, id: &ObjectId) -> [Param; 2] {
    [text(id.to_string()), text(owner.as_str())]
}

impl ClientStore for D1Store {
    async fn insert_client(&self, client: &Client) -> Result<(), StoreError> {
        const OPERATION: &str = "insert client";
        let values = [
            text(client.id.to_string()),
            text(client.name.as_str()),
            text(client.email.as_str()),
            text(client.owner.as_str()),
            text(format_timestamp(client.created_at)),
        ];
        self.run(INSERT_CLIENT, &values)
            .await
            .map_err(|e| unique_email(e, OPERATION))?;
        Ok(())
    }

    async fn find_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE id = ?1 AND owner = ?2");
        self.one_client("find client", &sql, &owned_id(owner, id))
            .await
    }

    async fn list_clients(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Client>, StoreError> {
        const OPERATION: &str = "list clients";
        let [at, id] = after(page);
        let values = [text(owner.as_str()), at, id, limit(page)];
        let rows: Vec<ClientRow> = self
            .all(LIST_CLIENTS, &values)
            .await
            .map_err(failed(OPERATION))?;
        let clients = rows
            .into_iter()
            .map(ClientRow::into_client)
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed(OPERATION))?;
        Ok(Page::from_fetched(clients, page, Client::cursor))
    }

    async fn update_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ClientChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, StoreError> {
        const OPERATION: &str = "update client";
        let [id, owner] = owned_id(owner, id);
        let values = [
            id,
            owner,
            optional(changes.name.as_ref().map(|n| n.as_str().to_owned())),
            optional(changes.email.as_ref().map(|e| e.as_str().to_owned())),
            text(format_timestamp(now)),
        ];
        // RETURNING through `first`: a UNIQUE failure surfaces as the promise's rejection.
        match self.first::<ClientRow>(UPDATE_CLIENT, &values).await {
            Ok(row) => row
                .map(ClientRow::into_client)
                .transpose()
                .map_err(failed(OPERATION)),
            Err(detail) if detail.contains("UNIQUE constraint failed: clients.owner") => {
                Err(StoreError::Refused(Refusal::EmailTaken))
            }
            Err(detail) => Err(failed(OPERATION)(detail)),
        }
    }

    async fn delete_client(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        if self
            .changed("delete client", DELETE_CLIENT, &owned_id(owner, id))
            .await?
        {
            return Ok(());
        }
        Err(StoreError::Refused(
            match self.find_client(owner, id).await? {
                None => Refusal::ClientNotFound,
                Some(_) => Refusal::ClientHasProjects,
            },
        ))
    }
}

fn project_values(project: &Project) -> [Param; 5] {
    [
        text(project.id.to_string()),
        text(project.name.as_str()),
        text(project.client.to_string()),
        text(project.owner.as_str()),
        text(format_timestamp(project.created_at)),
    ]
}

impl ProjectStore for D1Store {
    async fn insert_project(&self, project: &Project) -> Result<(), StoreError> {
        self.run(INSERT_PROJECT, &project_values(project))
            .await
            .map_err(project_insert_error)?;
        Ok(())
    }

    async fn insert_project_with_license(
        &self,
        project: &Project,
        license: &License,
    ) -> Result<(), StoreError> {
        let project = project_values(project);
        let license = license_values(license, None);
        // One batch is one transaction: both rows or neither. The license after the project:
        // its ownership check sees the project.
        self.batch(&[(INSERT_PROJECT, &project), (INSERT_LICENSE, &license)])
            .await
            .map_err(project_insert_error)?;
        Ok(())
    }

    async fn find_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Project>, StoreError> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?1 AND owner = ?2");
        self.one_project("find project", &sql, &owned_id(owner, id))
            .await
    }

    async fn list_projects(
        &self,
        owner: &UserId,
        client: &ObjectId,
        page: &PageRequest,
    ) -> Result<Page<Project>, StoreError> {
        const OPERATION: &str = "list projects";
        let [at, id] = after(page);
        let values = [
            text(owner.as_str()),
            at,
            id,
            limit(page),
            text(client.to_string()),
        ];
        let rows: Vec<ProjectRow> = self
            .all(LIST_PROJECTS, &values)
            .await
            .map_err(failed(OPERATION))?;
        // An empty page may mean "no such client of yours": only then is it looked up.
        if rows.is_empty() && self.find_client(owner, client).await?.is_none() {
            return Err(StoreError::Refused(Refusal::ClientNotFound));
        }
        let projects = rows
            .into_iter()
            .map(ProjectRow::into_project)
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed(OPERATION))?;
        Ok(Page::from_fetched(projects, page, Project::cursor))
    }

    async fn update_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ProjectChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError> {
        let [id, owner] = owned_id(owner, id);
        let values = [
            id,
            owner,
            text(changes.name.as_str()),
            text(format_timestamp(now)),
        ];
        self.one_project("update project", UPDATE_PROJECT, &values)
            .await
    }

    async fn delete_project(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        if self
            .changed("delete project", DELETE_PROJECT, &owned_id(owner, id))
            .await?
        {
            return Ok(());
        }
        Err(StoreError::Refused(
            match self.find_project(owner, id).await? {
                None => Refusal::ProjectNotFound,
                Some(_) => Refusal::ProjectHasLicenses,
            },
        ))
    }
}
