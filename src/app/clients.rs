//! A developer's clients: create, list, read, change, delete, always scoped to the caller.

use super::{AppError, Deps};
use crate::domain::{Client, ClientChanges, NewClient, ObjectId, Page, PageRequest, UserId};
use crate::storage::{ClientStore, Refusal, StoreError};

/// Draws of a fresh id before giving up (a collision is practically impossible).
const MAX_ATTEMPTS: usize = 3;

/// Stores a new client of `owner`; a taken email is refused.
pub async fn create_client<S: ClientStore, R>(
    deps: &Deps<'_, S, R>,
    owner: &UserId,
    input: NewClient,
) -> Result<Client, AppError> {
    let seconds = u32::try_from(deps.now.timestamp()).unwrap_or(u32::MAX);
    for _ in 0..MAX_ATTEMPTS {
        let client = Client::create(
            input.clone(),
            owner.clone(),
            deps.ids.generate(seconds),
            deps.now,
        );
        match deps.store.insert_client(&client).await {
            Ok(()) => return Ok(client),
            Err(StoreError::Duplicate) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::NoUniqueKey)
}

/// A page of `owner`'s clients, newest first.
pub async fn list_clients<S: ClientStore>(
    store: &S,
    owner: &UserId,
    page: &PageRequest,
) -> Result<Page<Client>, AppError> {
    Ok(store.list_clients(owner, page).await?)
}

/// `owner`'s client `id`; another developer's is not found, like a missing one.
pub async fn get_client<S: ClientStore>(
    store: &S,
    owner: &UserId,
    id: &ObjectId,
) -> Result<Client, AppError> {
    store
        .find_client(owner, id)
        .await?
        .ok_or(AppError::Refused(Refusal::ClientNotFound))
}

pub async fn update_client<S: ClientStore, R>(
    deps: &Deps<'_, S, R>,
    owner: &UserId,
    id: &ObjectId,
    changes: &ClientChanges,
) -> Result<Client, AppError> {
    deps.store
        .update_client(owner, id, changes, crate::domain::to_millis(deps.now))
        .await?
        .ok_or(AppError::Refused(Refusal::ClientNotFound))
}

/// Deletes a client without projects.
pub async fn delete_client<S: ClientStore>(
    store: &S,
    owner: &UserId,
    id: &ObjectId,
) -> Result<(), AppError> {
    Ok(store.delete_client(owner, id).await?)
}
