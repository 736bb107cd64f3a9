//! [`ClientStore`] and [`ProjectStore`] for the backend enum: each method delegates.

use chrono::{DateTime, Utc};

use super::store::Store;
use crate::domain::{
    Client, ClientChanges, License, ObjectId, Page, PageRequest, Project, ProjectChanges, UserId,
};
use crate::storage::{ClientStore, ProjectStore, StoreError};

/// `store.$method(args…)` on whichever backend is open.
macro_rules! delegate {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            Store::D1(store) => store.$method($($arg),*).await,
            Store::Mongo(store) => store.$method($($arg),*).await,
        }
    };
}

impl ClientStore for Store {
    async fn insert_client(&self, client: &Client) -> Result<(), StoreError> {
        delegate!(self.insert_client(client))
    }

    async fn find_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Client>, StoreError> {
        delegate!(self.find_client(owner, id))
    }

    async fn list_clients(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Client>, StoreError> {
        delegate!(self.list_clients(owner, page))
    }

    async fn update_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ClientChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, StoreError> {
        delegate!(self.update_client(owner, id, changes, now))
    }

    async fn delete_client(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        delegate!(self.delete_client(owner, id))
    }
}

impl ProjectStore for Store {
    async fn insert_project(&self, project: &Project) -> Result<(), StoreError> {
        delegate!(self.insert_project(project))
    }

    async fn insert_project_with_license(
        &self,
        project: &Project,
        license: &License,
    ) -> Result<(), StoreError> {
        delegate!(self.insert_project_with_license(project, license))
    }

    async fn find_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Project>, StoreError> {
        delegate!(self.find_project(owner, id))
    }

    async fn list_projects(
        &self,
        owner: &UserId,
        client: &ObjectId,
        page: &PageRequest,
    ) -> Result<Page<Project>, StoreError> {
        delegate!(self.list_projects(owner, client, page))
    }

    async fn update_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ProjectChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError> {
        delegate!(self.update_project(owner, id, changes, now))
    }

    async fn delete_project(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        delegate!(self.delete_project(owner, id))
    }
}
