//! A developer's projects: create, list (per client), read, rename, delete, always scoped to
//! the caller.

use super::{AppError, Deps};
use crate::domain::{NewProject, ObjectId, Page, PageRequest, Project, ProjectChanges, UserId};
use crate::storage::{ProjectStore, Refusal, StoreError};

const MAX_ATTEMPTS: usize = 3;

/// Stores a new project of `owner` under one of their clients.
pub async fn create_project<S: ProjectStore, R>(
    deps: &Deps<'_, S, R>,
    owner: &UserId,
    input: NewProject,
) -> Result<Project, AppError> {
    let seconds = u32::try_from(deps.now.timestamp()).unwrap_or(u32::MAX);
    for _ in 0..MAX_ATTEMPTS {
        let id = deps.ids.generate(seconds);
        let project = Project::create(input.clone(), owner.clone(), id, deps.now);
        match deps.store.insert_project(&project).await {
            Ok(()) => return Ok(project),
            Err(StoreError::Duplicate) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::NoUniqueKey)
}

/// A page of the projects of `owner`'s `client`, newest first.
pub async fn list_projects<S: ProjectStore>(
    store: &S,
    owner: &UserId,
    client: &ObjectId,
    page: &PageRequest,
) -> Result<Page<Project>, AppError> {
    Ok(store.list_projects(owner, client, page).await?)
}

pub async fn get_project<S: ProjectStore>(
    store: &S,
    owner: &UserId,
    id: &ObjectId,
) -> Result<Project, AppError> {
    store
        .find_project(owner, id)
        .await?
        .ok_or(AppError::Refused(Refusal::ProjectNotFound))
}

pub async fn update_project<S: ProjectStore, R>(
    deps: &Deps<'_, S, R>,
    owner: &UserId,
    id: &ObjectId,
    changes: &ProjectChanges,
) -> Result<Project, AppError> {
    deps.store
        .update_project(owner, id, changes, crate::domain::to_millis(deps.now))
        .await?
        .ok_or(AppError::Refused(Refusal::ProjectNotFound))
}

/// Deletes a project without live licenses.
pub async fn delete_project<S: ProjectStore>(
    store: &S,
    owner: &UserId,
    id: &ObjectId,
) -> Result<(), AppError> {
    Ok(store.delete_project(owner, id).await?)
}
