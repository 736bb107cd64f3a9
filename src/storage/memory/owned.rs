//! [`ClientStore`] and [`ProjectStore`] for [`MemoryStore`], with the real backends' rules:
//! everything scoped to the owner, emails unique per owner case-insensitively, deletes refused
//! while something still depends on the object.

use chrono::{DateTime, Utc};

use super::MemoryStore;
use crate::domain::{
    Client, ClientChanges, Cursor, License, LicenseStatus, ObjectId, Page, PageRequest, Project,
    ProjectChanges, UserId,
};
use crate::storage::{ClientStore, ProjectStore, Refusal, StoreError};

impl MemoryStore {
    /// Adds a client and a project of `owner` with these ids (for tests of licenses), once.
    pub fn seed_project(&self, owner: &UserId, client: ObjectId, project: ObjectId) {
        if self.projects.borrow().iter().any(|p| p.id == project) {
            return;
        }
        let at = DateTime::<Utc>::UNIX_EPOCH;
        self.clients.borrow_mut().push(Client {
            id: client,
            name: crate::domain::Name::from_stored("Seed".into()),
            email: crate::domain::Email::from_stored(format!("{client}@seed.test")),
            owner: owner.clone(),
            created_at: at,
            updated_at: at,
        });
        self.projects.borrow_mut().push(Project {
            id: project,
            name: crate::domain::Name::from_stored("Seed".into()),
            client,
            owner: owner.clone(),
            created_at: at,
            updated_at: at,
        });
    }

    /// Why `license` may not be stored, if it may not.
    pub(super) fn license_refusal(&self, license: &License) -> Option<Refusal> {
        if !self.owns_client(&license.user, &license.client) {
            return Some(Refusal::ClientNotFound);
        }
        let projects = self.projects.borrow();
        match projects
            .iter()
            .find(|p| p.id == license.project && p.owner == license.user)
        {
            None => Some(Refusal::ProjectNotFound),
            Some(p) if p.client != license.client => Some(Refusal::ProjectNotOfClient),
            Some(_) => None,
        }
    }

    fn owns_client(&self, owner: &UserId, id: &ObjectId) -> bool {
        self.clients
            .borrow()
            .iter()
            .any(|c| c.id == *id && c.owner == *owner)
    }

    fn email_taken(&self, owner: &UserId, email: &str, except: Option<ObjectId>) -> bool {
        self.clients
            .borrow()
            .iter()
            .any(|c| c.owner == *owner && c.email.lowercase() == email && Some(c.id) != except)
    }
}

/// Newest first by `(created, id)`, after the cursor, one more than the page.
fn page_of<T: Clone>(
    items: impl Iterator<Item = T>,
    page: &PageRequest,
    key: impl Fn(&T) -> Cursor,
) -> Page<T> {
    let mut items: Vec<T> = items
        .filter(|item| {
            page.after.is_none_or(|after| {
                let k = key(item);
                (k.at, k.id) < (after.at, after.id)
            })
        })
        .collect();
    items.sort_by(|a, b| {
        let (a, b) = (key(a), key(b));
        (b.at, b.id).cmp(&(a.at, a.id))
    });
    items.truncate(page.fetch());
    Page::from_fetched(items, page, key)
}

fn is_live(license: &License) -> bool {
    !matches!(
        license.status,
        LicenseStatus::Revoked | LicenseStatus::Expired
    )
}

impl ClientStore for MemoryStore {
    async fn insert_client(&self, client: &Client) -> Result<(), StoreError> {
        if self.clients.borrow().iter().any(|c| c.id == client.id) {
            return Err(StoreError::Duplicate);
        }
        if self.email_taken(&client.owner, &client.email.lowercase(), None) {
            return Err(StoreError::Refused(Refusal::EmailTaken));
        }
        self.clients.borrow_mut().push(client.clone());
        Ok(())
    }

    async fn find_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Client>, StoreError> {
        let clients = self.clients.borrow();
        Ok(clients
            .iter()
            .find(|c| c.id == *id && c.owner == *owner)
            .cloned())
    }

    async fn list_clients(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Client>, StoreError> {
        let clients = self.clients.borrow();
        let mine = clients.iter().filter(|c| c.owner == *owner).cloned();
        Ok(page_of(mine, page, Client::cursor))
    }

    async fn update_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ClientChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, StoreError> {
        if let Some(email) = &changes.email {
            if self.email_taken(owner, &email.lowercase(), Some(*id)) {
                return Err(StoreError::Refused(Refusal::EmailTaken));
            }
        }
        let mut clients = self.clients.borrow_mut();
        let Some(client) = clients
            .iter_mut()
            .find(|c| c.id == *id && c.owner == *owner)
        else {
            return Ok(None);
        };
        if let Some(name) = &changes.name {
            client.name = name.clone();
        }
        if let Some(email) = &changes.email {
            client.email = email.clone();
        }
        client.updated_at = now;
        Ok(Some(client.clone()))
    }

    async fn delete_client(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        if !self.owns_client(owner, id) {
            return Err(StoreError::Refused(Refusal::ClientNotFound));
        }
        if self.projects.borrow().iter().any(|p| p.client == *id) {
            return Err(StoreError::Refused(Refusal::ClientHasProjects));
        }
        self.clients.borrow_mut().retain(|c| c.id != *id);
        Ok(())
    }
}

impl ProjectStore for MemoryStore {
    async fn insert_project(&self, project: &Project) -> Result<(), StoreError> {
        if !self.owns_client(&project.owner, &project.client) {
            return Err(StoreError::Refused(Refusal::ClientNotFound));
        }
        if self.projects.borrow().iter().any(|p| p.id == project.id) {
            return Err(StoreError::Duplicate);
        }
        self.projects.borrow_mut().push(project.clone());
        Ok(())
    }

    async fn insert_project_with_license(
        &self,
        project: &Project,
        license: &License,
    ) -> Result<(), StoreError> {
        self.insert_project(project).await?;
        let stored = crate::storage::LicenseStore::insert(self, license, None).await;
        if stored.is_err() {
            self.projects.borrow_mut().retain(|p| p.id != project.id);
        }
        stored
    }

    async fn find_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Project>, StoreError> {
        let projects = self.projects.borrow();
        Ok(projects
            .iter()
            .find(|p| p.id == *id && p.owner == *owner)
            .cloned())
    }

    async fn list_projects(
        &self,
        owner: &UserId,
        client: &ObjectId,
        page: &PageRequest,
    ) -> Result<Page<Project>, StoreError> {
        if !self.owns_client(owner, client) {
            return Err(StoreError::Refused(Refusal::ClientNotFound));
        }
        let projects = self.projects.borrow();
        let mine = projects
            .iter()
            .filter(|p| p.owner == *owner && p.client == *client)
            .cloned();
        Ok(page_of(mine, page, Project::cursor))
    }

    async fn update_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ProjectChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError> {
        let mut projects = self.projects.borrow_mut();
        let Some(project) = projects
            .iter_mut()
            .find(|p| p.id == *id && p.owner == *owner)
        else {
            return Ok(None);
        };
        project.name = changes.name.clone();
        project.updated_at = now;
        Ok(Some(project.clone()))
    }

    async fn delete_project(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError> {
        if self.find_project(owner, id).await?.is_none() {
            return Err(StoreError::Refused(Refusal::ProjectNotFound));
        }
        if self
            .licenses
            .borrow()
            .iter()
            .any(|l| l.project == *id && is_live(l))
        {
            return Err(StoreError::Refused(Refusal::ProjectHasLicenses));
        }
        self.projects.borrow_mut().retain(|p| p.id != *id);
        Ok(())
    }
}
