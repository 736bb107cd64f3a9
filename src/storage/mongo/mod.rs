//! MongoDB through the Data API HTTP protocol: `POST {MONGODB_DATA_API_URL}/action/{action}`
//! with a canonical EJSON body and the `api-key` header. The hosted Atlas Data API ended on
//! 2025-09-30; the URL points at a Data-API-compatible gateway the deployment runs.
//!
//! The wire format is pure and tested natively: `documents` writes a license as the document
//! the original Mongoose model stores, [`actions`] wraps documents and filters in the actions'
//! request bodies, [`answers`] reads the gateway's answers into outcomes or [`StoreError`]s and
//! `decoding` turns a found document back into a license. Only `transport` (the `fetch` call)
//! and [`MongoStore`] are wasm-only.

pub mod actions;
pub mod answers;
mod decoding;
mod documents;
#[cfg(test)]
mod testing;
#[cfg(target_arch = "wasm32")]
mod transport;

#[cfg(target_arch = "wasm32")]
use {
    self::actions::{find_idempotent_body, insert_one_body, release_expired_body, Namespace},
    self::answers::{find_idempotent_outcome, insert_outcome, redact, update_outcome},
    crate::config::MongoSettings,
    crate::domain::{IdempotencyKey, IdempotencyTag, License, UserId},
    crate::storage::{IdempotentLicense, LicenseStore, StoreError},
    chrono::{DateTime, Utc},
};

/// Licenses in a MongoDB collection, one document each.
#[cfg(target_arch = "wasm32")]
pub struct MongoStore {
    settings: MongoSettings,
    namespace: Namespace,
}

#[cfg(target_arch = "wasm32")]
impl MongoStore {
    pub fn new(settings: MongoSettings) -> Self {
        let namespace = Namespace {
            data_source: settings.data_source.clone(),
            database: settings.database.clone(),
            collection: settings.collection.clone(),
        };
        Self {
            settings,
            namespace,
        }
    }

    /// Posts `body` to `action` (see [`transport::post`]).
    async fn call(
        &self,
        operation: &'static str,
        action: &str,
        body: String,
    ) -> Result<(u16, String), StoreError> {
        transport::post(&self.settings, operation, action, body).await
    }

    /// Keeps the API key out of a failure's detail, whichever step produced it.
    fn redacted(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Unavailable { operation, detail } => StoreError::Unavailable {
                operation,
                detail: redact(&detail, &self.settings.api_key),
            },
            other => other,
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl LicenseStore for MongoStore {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        const OPERATION: &str = "insert license into MongoDB";
        let body = insert_one_body(&self.namespace, license, idempotency);
        let (status, answer) = self.call(OPERATION, "insertOne", body).await?;
        insert_outcome(status, &answer, &license.id).map_err(|e| self.redacted(e))
    }

    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError> {
        let body = find_idempotent_body(&self.namespace, user, key, now);
        let (status, answer) = self
            .call("find idempotent license in MongoDB", "findOne", body)
            .await?;
        find_idempotent_outcome(status, &answer).map_err(|e| self.redacted(e))
    }

    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let body = release_expired_body(&self.namespace, user, key, now);
        let (status, answer) = self
            .call("release idempotency key in MongoDB", "updateOne", body)
            .await?;
        update_outcome(status, &answer).map_err(|e| self.redacted(e))
    }
}
