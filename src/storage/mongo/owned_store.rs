//! [`ClientStore`] and [`ProjectStore`] for [`MongoStore`], and the ownership check of a
//! license insert. Every filter names the caller (`user`); writes are single conditional
//! actions. MongoDB cannot look into another collection inside one action, so the checks
//! across collections (a client's projects, a project's licenses, a project's client) are a
//! read before the write: docs/mongodb.md ("Ownership") says what that leaves open.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::actions::Namespace;
use super::answers::answer_of;
use super::ejson::{date, member, oid, user, Obj};
use super::owned_documents::{
    client_document, client_of, owned, page_filter, page_options, project_document, project_of,
};
use super::{DataApi, MongoStore};
use crate::domain::{
    Client, ClientChanges, License, ObjectId, Page, PageRequest, Project, ProjectChanges, UserId,
};
use crate::storage::{ClientStore, LicenseStore, ProjectStore, Refusal, StoreError};

impl<T: DataApi> MongoStore<T> {
    /// Posts `action` with `body` (a namespace's body: [`Namespace::body`]); the answer's JSON,
    /// or the failure. A duplicate on the clients' email index is [`Refusal::EmailTaken`].
    async fn act(
        &self,
        operation: &'static str,
        action: &str,
        body: String,
    ) -> Result<Value, StoreError> {
        let (status, answer) = self.call(operation, action, body).await?;
        if answer.contains("E11000") && answer.contains("email") {
            return Err(StoreError::Refused(Refusal::EmailTaken));
        }
        answer_of(operation, status, &answer).map_err(|e| self.redacted(e))
    }

    /// `findOne`: the document, if one matches.
    async fn find_one(
        &self,
        operation: &'static str,
        namespace: &Namespace,
        filter: &str,
    ) -> Result<Option<Value>, StoreError> {
        let answer = self
            .act(operation, "findOne", filtered(namespace, filter))
            .await?;
        match answer.get("document") {
            Some(Value::Null) => Ok(None),
            Some(document) => Ok(Some(document.clone())),
            None => Err(missing(operation, "document")),
        }
    }

    /// `find` with the page's filter, sort and limit.
    async fn find_page(
        &self,
        operation: &'static str,
        namespace: &Namespace,
        filter: &str,
        page: &PageRequest,
    ) -> Result<Vec<Value>, StoreError> {
        let (sort, limit) = page_options(page);
        let body = namespace
            .body()
            .raw("filter", filter)
            .raw("sort", sort)
            .int("limit", limit)
            .end();
        let answer = self.act(operation, "find", body).await?;
        match answer.get("documents").and_then(Value::as_array) {
            Some(documents) => Ok(documents.clone()),
            None => Err(missing(operation, "documents")),
        }
    }

    /// A count field of a write's answer (`insertedId` aside): `matchedCount`, `deletedCount`.
    async fn count(
        &self,
        operation: &'static str,
        action: &str,
        body: String,
        name: &str,
    ) -> Result<u64, StoreError> {
        let answer = self.act(operation, action, body).await?;
        answer
            .get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| missing(operation, name))
    }

    async fn insert_document(
        &self,
        operation: &'static str,
        namespace: &Namespace,
        document: &str,
    ) -> Result<(), StoreError> {
        let body = namespace.body().raw("document", document).end();
        let answer = self.act(operation, "insertOne", body).await?;
        match answer.get("insertedId") {
            Some(_) => Ok(()),
            None => Err(missing(operation, "insertedId")),
        }
    }

    /// Why `license` may not be stored, if it may not: the caller's project, then (only on a
    /// refusal) the caller's client.
    pub(super) async fn license_refusal(
        &self,
        license: &License,
    ) -> Result<Option<Refusal>, StoreError> {
        let project = self.find_project(&license.user, &license.project).await?;
        if project.as_ref().is_some_and(|p| p.client == license.client) {
            return Ok(None);
        }
        if self
            .find_client(&license.user, &license.client)
            .await?
            .is_none()
        {
            return Ok(Some(Refusal::ClientNotFound));
        }
        Ok(Some(match project {
            None => Refusal::ProjectNotFound,
            Some(_) => Refusal::ProjectNotOfClient,
        }))
    }
}

/// A body of `namespace` with `filter`: `findOne`, `deleteOne`.
fn filtered(namespace: &Namespace, filter: &str) -> String {
    namespace.body().raw("filter", filter).end()
}

/// A body of `namespace` updating the caller's object `id` with `$set` of `set`.
fn set_owned(namespace: &Namespace, owner: &UserId, id: &ObjectId, set: &str) -> String {
    namespace
        .body()
        .raw("filter", &owned(owner, id))
        .raw("update", &member("$set", set))
        .end()
}

fn missing(operation: &'static str, field: &str) -> StoreError {
    StoreError::Unavailable {
        operation,
        detail: format!("the Data API answered without {field}"),
    }
}

fn unreadable(operation: &'static str) -> impl Fn(String) -> StoreError {
    move |detail| StoreError::Unavailable { operation, detail }
}

impl<T: DataApi> ClientStore for MongoStore<T> {
    async fn insert_client(&self, client: &Client) -> Result<(), StoreError> {
        let document = client_document(client);
        self.insert_document("insert client into MongoDB", &self.clients, &document)
            .await
    }

    async fn find_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Client>, StoreError> {
        const OPERATION: &str = "find client in MongoDB";
        let found = self
            .find_one(OPERATION, &self.clients, &owned(owner, id))
            .await?;
        found
            .as_ref()
            .map(client_of)
            .transpose()
            .map_err(unreadable(OPERATION))
    }

    async fn list_clients(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Client>, StoreError> {
        const OPERATION: &str = "list clients in MongoDB";
        let filter = page_filter(owner, None, page);
        let documents = self
            .find_page(OPERATION, &self.clients, &filter, page)
            .await?;
        let clients = documents
            .iter()
            .map(client_of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable(OPERATION))?;
        Ok(Page::from_fetched(clients, page, Client::cursor))
    }

    async fn update_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ClientChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, StoreError> {
        let mut set = Obj::new();
        set.raw("updatedAt", &date(now));
        if let Some(name) = &changes.name {
            set.str("name", name.as_str());
        }
        if let Some(email) = &changes.email {
            set.str("email", email.as_str());
        }
        let body = set_owned(&self.clients, owner, id, &set.end());
        let matched = self
            .count(
                "update client in MongoDB",
                "updateOne",
                body,
                "matchedCount",
            )
            .await?;
        if matched == 0 {
            return Ok(None);
        }
        self.find_client(owner, id).await
    }

    async fn delete_client(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        const OPERATION: &str = "delete client in MongoDB";
        let filter = Obj::new()
            .raw("client", &oid(id))
            .raw("user", &user(owner))
            .end();
        if self
            .find_one(OPERATION, &self.projects, &filter)
            .await?
            .is_some()
        {
            return Err(StoreError::Refused(Refusal::ClientHasProjects));
        }
        let body = filtered(&self.clients, &owned(owner, id));
        match self
            .count(OPERATION, "deleteOne", body, "deletedCount")
            .await?
        {
            0 => Err(StoreError::Refused(Refusal::ClientNotFound)),
            _ => Ok(()),
        }
    }
}

impl<T: DataApi> ProjectStore for MongoStore<T> {
    async fn insert_project(&self, project: &Project) -> Result<(), StoreError> {
        if self
            .find_client(&project.owner, &project.client)
            .await?
            .is_none()
        {
            return Err(StoreError::Refused(Refusal::ClientNotFound));
        }
        let document = project_document(project);
        self.insert_document("insert project into MongoDB", &self.projects, &document)
            .await
    }

    /// The project, then the license; when the license cannot be stored, the project is
    /// deleted again (a compensating `deleteOne`), so no project is left without it.
    async fn insert_project_with_license(
        &self,
        project: &Project,
        license: &License,
    ) -> Result<(), StoreError> {
        self.insert_project(project).await?;
        let stored = LicenseStore::insert(self, license, None).await;
        if stored.is_err() {
            let body = filtered(&self.projects, &owned(&project.owner, &project.id));
            self.count(
                "undo project insert in MongoDB",
                "deleteOne",
                body,
                "deletedCount",
            )
            .await?;
        }
        stored
    }

    async fn find_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Project>, StoreError> {
        const OPERATION: &str = "find project in MongoDB";
        let found = self
            .find_one(OPERATION, &self.projects, &owned(owner, id))
            .await?;
        found
            .as_ref()
            .map(project_of)
            .transpose()
            .map_err(unreadable(OPERATION))
    }

    async fn list_projects(
        &self,
        owner: &UserId,
        client: &ObjectId,
        page: &PageRequest,
    ) -> Result<Page<Project>, StoreError> {
        const OPERATION: &str = "list projects in MongoDB";
        let filter = page_filter(owner, Some(client), page);
        let documents = self
            .find_page(OPERATION, &self.projects, &filter, page)
            .await?;
        if documents.is_empty() && self.find_client(owner, client).await?.is_none() {
            return Err(StoreError::Refused(Refusal::ClientNotFound));
        }
        let projects = documents
            .iter()
            .map(project_of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable(OPERATION))?;
        Ok(Page::from_fetched(projects, page, Project::cursor))
    }

    async fn update_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ProjectChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError> {
        let set = Obj::new()
            .str("name", changes.name.as_str())
            .raw("updatedAt", &date(now))
            .end();
        let body = set_owned(&self.projects, owner, id, &set);
        let matched = self
            .count(
                "update project in MongoDB",
                "updateOne",
                body,
                "matchedCount",
            )
            .await?;
        if matched == 0 {
            return Ok(None);
        }
        self.find_project(owner, id).await
    }

    async fn delete_project(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        const OPERATION: &str = "delete project in MongoDB";
        if self.find_project(owner, id).await?.is_none() {
            return Err(StoreError::Refused(Refusal::ProjectNotFound));
        }
        let live = Obj::new()
            .raw("project", &oid(id))
            .raw("user", &user(owner))
            .raw("status", r#"{"$nin":["REVOKED","EXPIRED"]}"#)
            .end();
        if self
            .find_one(OPERATION, &self.namespace, &live)
            .await?
            .is_some()
        {
            return Err(StoreError::Refused(Refusal::ProjectHasLicenses));
        }
        let body = filtered(&self.projects, &owned(owner, id));
        match self
            .count(OPERATION, "deleteOne", body, "deletedCount")
            .await?
        {
            0 => Err(StoreError::Refused(Refusal::ProjectNotFound)),
            _ => Ok(()),
        }
    }
}
