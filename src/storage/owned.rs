//! Clients and projects: the developer-owned objects licenses are made for. Every method takes
//! the caller (`owner`) and only ever sees that developer's objects: another developer's id
//! answers exactly like a missing one.

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{
    Client, ClientChanges, License, ObjectId, Page, PageRequest, Project, ProjectChanges, UserId,
};

/// Why a store refused a write or read the caller's ids do not allow. Not a failure: each is
/// answered with its own 4xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such client of the caller's (missing, or another developer's).
    ClientNotFound,
    /// No such project of the caller's (missing, or another developer's).
    ProjectNotFound,
    /// Both are the caller's, but the project is under another client.
    ProjectNotOfClient,
    /// The caller already has a client with this email (case-insensitively).
    EmailTaken,
    /// The client still has projects.
    ClientHasProjects,
    /// The project still has licenses that are neither `REVOKED` nor `EXPIRED`.
    ProjectHasLicenses,
}

impl Refusal {
    /// The variant's name, for the log.
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientNotFound => "ClientNotFound",
            Self::ProjectNotFound => "ProjectNotFound",
            Self::ProjectNotOfClient => "ProjectNotOfClient",
            Self::EmailTaken => "EmailTaken",
            Self::ClientHasProjects => "ClientHasProjects",
            Self::ProjectHasLicenses => "ProjectHasLicenses",
        }
    }
}

/// Persistence for clients. Emails are unique per owner, case-insensitively
/// ([`Refusal::EmailTaken`]); lists are newest first by `(createdAt, _id)`.
#[allow(async_fn_in_trait)]
pub trait ClientStore {
    /// Stores a new client, or refuses a taken email.
    async fn insert_client(&self, client: &Client) -> Result<(), StoreError>;

    async fn find_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Client>, StoreError>;

    async fn list_clients(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Client>, StoreError>;

    /// Applies `changes` (stamping `updatedAt` with `now`) and answers the client as stored,
    /// `None` when the caller has no such client; refuses a taken email.
    async fn update_client(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ClientChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, StoreError>;

    /// Deletes the client in one conditional write: refused with
    /// [`Refusal::ClientNotFound`] or [`Refusal::ClientHasProjects`], and then nothing changed.
    async fn delete_client(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError>;
}

/// Persistence for projects. A project is stored only under a client of its own owner.
#[allow(async_fn_in_trait)]
pub trait ProjectStore {
    /// Stores a new project, or refuses it with [`Refusal::ClientNotFound`] when its client
    /// is not its owner's.
    async fn insert_project(&self, project: &Project) -> Result<(), StoreError>;

    /// Stores a project and its first license together or neither (refusals as
    /// [`Self::insert_project`]; [`StoreError::Duplicate`] when the license's key or an id is
    /// taken, to draw again).
    async fn insert_project_with_license(
        &self,
        project: &Project,
        license: &License,
    ) -> Result<(), StoreError>;

    async fn find_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
    ) -> Result<Option<Project>, StoreError>;

    /// A page of `client`'s projects; [`Refusal::ClientNotFound`] when the caller has no such
    /// client.
    async fn list_projects(
        &self,
        owner: &UserId,
        client: &ObjectId,
        page: &PageRequest,
    ) -> Result<Page<Project>, StoreError>;

    async fn update_project(
        &self,
        owner: &UserId,
        id: &ObjectId,
        changes: &ProjectChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError>;

    /// Deletes the project: refused with [`Refusal::ProjectNotFound`] or
    /// [`Refusal::ProjectHasLicenses`], and then nothing changed.
    async fn delete_project(&self, owner: &UserId, id: &ObjectId) -> Result<(), StoreError>;
}

/// Every store the API needs, as one bound.
pub trait Stores: super::LicenseStore + super::LifecycleStore + ClientStore + ProjectStore {}

impl<S: super::LicenseStore + super::LifecycleStore + ClientStore + ProjectStore> Stores for S {}
