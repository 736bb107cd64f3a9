//! [`ClientStore`] and [`ProjectStore`] for [`MongoStore`], and the ownership check of a
//! license insert. Every filter names the caller (`user`); writes are single conditional
//! actions. MongoDB cannot look into another collection inside one action, so the checks
//! across collections (a client's projects, a project's licenses, a project's client) are a
//! read before the write: docs/mongodb.md ("Ownership") says what that leaves open.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::actions::Namespace;
use super::answers::answer_of;
use super::documents::stored_user;
use super::owned_documents::{
    at, client_of, oid, owned, page_filter, page_options, project_of, ClientDocument,
    ProjectDocument,
};
use super::{DataApi, MongoStore};
use crate::domain::{
    Client, ClientChanges, License, ObjectId, Page, PageRequest, Project, ProjectChanges, UserId,
};
use crate::storage::{ClientStore, LicenseStore, ProjectStore, Refusal, StoreError};

impl<T: DataApi> MongoStore<T> {
    /// Posts `action` on `namespace` with `fields`; the answer's JSON, or the failure. A
    /// duplicate on the clients' email index is [`Refusal::EmailTaken`].
    async fn act(
        &self,
        operation: &'static str,
        action: &str,
        namespace: &Namespace,
        fields: Value,
    ) -> Result<Value, StoreError> {
        let mut body = serde_json::to_value(namespace).unwrap_or_default();
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        let (status, answer) = self.call(operation, action, body.to_string()).await?;
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
        filter: Value,
    ) -> Result<Option<Value>, StoreError> {
        let answer = self
            .act(operation, "findOne", namespace, json!({ "filter": filter }))
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
        filter: Value,
        page: &PageRequest,
    ) -> Result<Vec<Value>, StoreError> {
        let (sort, limit) = page_options(page);
        let fields = json!({"filter": filter, "sort": sort, "limit": limit});
        let answer = self.act(operation, "find", namespace, fields).await?;
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
        namespace: &Namespace,
        fields: Value,
        name: &str,
    ) -> Result<u64, StoreError> {
        let answer = self.act(operation, action, namespace, fields).await?;
        answer
            .get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| missing(operation, name))
    }

    async fn insert_document(
        &self,
        operation: &'static str,
        namespace: &Namespace,
        document: Value,
    ) -> Result<(), StoreError> {
        let answer = self
            .act(
                operation,
                "insertOne",
                namespace,
                json!({ "document": document }),
            )
            .await?;
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
        let document = serde_json::to_value(ClientDocument::new(client)).unwrap_or_default();
        self.insert_document("insert client into MongoDB", &self.clients, document)
            .await
    }

    async fn find_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Client>, StoreError> {
        const OPERATION: &str = "find client in MongoDB";
        let found = self
            .find_one(OPERATION, &self.clients, owned(owner, id))
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
        let filter = page_filter(owner, json!({}), page);
        let documents = self
            .find_page(OPERATION, &self.clients, filter, page)
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
        let mut set = json!({ "updatedAt": at(now) });
        if let Some(name) = &changes.name {
            set["name"] = json!(name.as_str());
        }
        if let Some(email) = &changes.email {
            set["email"] = json!(email.as_str());
        }
        let fields = json!({"filter": owned(owner, id), "update": {"$set": set}});
        let matched = self
            .count(
                "update client in MongoDB",
                "updateOne",
                &self.clients,
                fields,
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
        let filter = json!({"client": oid(id), "user": stored_user(owner)});
        if self
            .find_one(OPERATION, &self.projects, filter)
            .await?
            .is_some()
        {
            return Err(StoreError::Refused(Refusal::ClientHasProjects));
        }
        let fields = json!({ "filter": owned(owner, id) });
        match self
            .count(
                OPERATION,
                "deleteOne",
                &self.clients,
                fields,
                "deletedCount",
            )
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
        let document = serde_json::to_value(ProjectDocument::new(project)).unwrap_or_default();
        self.insert_document("insert project into MongoDB", &self.projects, document)
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
            let fields = json!({ "filter": owned(&project.owner, &project.id) });
            self.count(
                "undo project insert in MongoDB",
                "deleteOne",
                &self.projects,
                fields,
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
            .find_one(OPERATION, &self.projects, owned(owner, id))
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
        let filter = page_filter(owner, json!({ "client": oid(client) }), page);
        let documents = self
            .find_page(OPERATION, &self.projects, filter, page)
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
        let set = json!({"name": changes.name.as_str(), "updatedAt": at(now)});
        let fields = json!({"filter": owned(owner, id), "update": {"$set": set}});
        let matched = self
            .count(
                "update project in MongoDB",
                "updateOne",
                &self.projects,
                fields,
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
        let live = json!({
            "project": oid(id),
            "user": stored_user(owner),
            "status": {"$nin": ["REVOKED", "EXPIRED"]},
        });
        if self
            .find_one(OPERATION, &self.namespace, live)
            .await?
            .is_some()
        {
            return Err(StoreError::Refused(Refusal::ProjectHasLicenses));
        }
        let fields = json!({ "filter": owned(owner, id) });
        match self
            .count(
                OPERATION,
                "deleteOne",
                &self.projects,
                fields,
                "deletedCount",
            )
            .await?
        {
            0 => Err(StoreError::Refused(Refusal::ProjectNotFound)),
            _ => Ok(()),
        }
    }
}
