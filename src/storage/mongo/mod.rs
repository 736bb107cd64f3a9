//! MongoDB through the Data API HTTP protocol: `POST {MONGODB_DATA_API_URL}/action/{action}`
//! with a canonical EJSON body and the `api-key` header. The hosted Atlas Data API ended on
//! 2025-09-30; the URL points at a Data-API-compatible gateway the deployment runs.
//!
//! The wire format is pure and tested natively: `ejson` writes JSON text and canonical EJSON
//! values, `documents` writes a license as the document the original Mongoose model stores,
//! [`actions`] wraps documents and filters in the actions' request bodies, [`answers`] reads the gateway's answers into outcomes or [`StoreError`]s and
//! `decoding` turns a found document back into a license. [`MongoStore`] is generic over the
//! [`DataApi`] transport, whose `fetch` implementation lives in `edge`.

pub mod actions;
mod admin;
pub mod admin_actions;
pub mod answers;
mod decoding;
mod documents;
mod ejson;
mod lifecycle;
pub mod lifecycle_actions;
mod owned_documents;
mod owned_store;
#[cfg(test)]
mod testing;

use chrono::{DateTime, Utc};

use self::actions::{find_idempotent_body, insert_one_body, release_expired_body, Namespace};
use self::answers::{find_idempotent_outcome, insert_outcome, redact, update_outcome};
use crate::config::MongoSettings;
use crate::domain::{IdempotencyKey, IdempotencyTag, License, UserId};
use crate::storage::{IdempotentLicense, LicenseStore, StoreError};

/// One exchange with the Data API gateway: `POST {url}/action/{action}` with `body` and the
/// `api-key` header. Answers the status and body text, or what failed (for the log). The
/// worker's implementation is `fetch` (in `edge`); the store itself is pure.
#[allow(async_fn_in_trait)]
pub trait DataApi {
    async fn post(&self, action: &str, body: String) -> Result<(u16, String), String>;
}

/// Licenses in a MongoDB collection, one document each.
pub struct MongoStore<T> {
    transport: T,
    namespace: Namespace,
    /// Where clients and projects live (`MONGODB_CLIENTS_COLLECTION`, `…_PROJECTS_…`).
    clients: Namespace,
    projects: Namespace,
    /// Only to keep it out of failure details.
    api_key: String,
}

impl<T: DataApi> MongoStore<T> {
    pub fn new(settings: &MongoSettings, transport: T) -> Self {
        let namespace = Namespace {
            data_source: settings.data_source.clone(),
            database: settings.database.clone(),
            collection: settings.collection.clone(),
        };
        let beside = |collection: &String| Namespace {
            collection: collection.clone(),
            ..namespace.clone()
        };
        Self {
            transport,
            clients: beside(&settings.clients_collection),
            projects: beside(&settings.projects_collection),
            namespace,
            api_key: settings.api_key.clone(),
        }
    }

    /// Posts `body` to `action`; a failure's detail never holds the API key.
    async fn call(
        &self,
        operation: &'static str,
        action: &str,
        body: String,
    ) -> Result<(u16, String), StoreError> {
        self.transport
            .post(action, body)
            .await
            .map_err(|detail| StoreError::Unavailable {
                operation,
                detail: redact(&detail, &self.api_key),
            })
    }

    /// Keeps the API key out of a failure's detail, whichever step produced it.
    fn redacted(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Unavailable { operation, detail } => StoreError::Unavailable {
                operation,
                detail: redact(&detail, &self.api_key),
            },
            other => other,
        }
    }
}

impl<T: DataApi> LicenseStore for MongoStore<T> {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        const OPERATION: &str = "insert license into MongoDB";
        // One owner-scoped `findOne` of the project first: MongoDB cannot check another
        // collection inside an `insertOne` (docs/mongodb.md, "Ownership").
        if let Some(refusal) = self.license_refusal(license).await? {
            return Err(StoreError::Refused(refusal));
        }
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::config::StorageConfig;

    /// A gateway that records each action and answers from a script.
    struct Scripted {
        answers: RefCell<Vec<Result<(u16, String), String>>>,
        actions: RefCell<Vec<String>>,
    }

    impl DataApi for Scripted {
        async fn post(&self, action: &str, _: String) -> Result<(u16, String), String> {
            self.actions.borrow_mut().push(action.to_owned());
            self.answers.borrow_mut().remove(0)
        }
    }

    fn store(answers: Vec<Result<(u16, String), String>>) -> MongoStore<Scripted> {
        let lookup = |name: &str| {
            let value = match name {
                "STORAGE" => "mongodb",
                "MONGODB_DATA_API_URL" => "https://gateway.example",
                "MONGODB_API_KEY" => "k3y-never-shown",
                "MONGODB_DATA_SOURCE" => "mongodb-atlas",
                "MONGODB_DATABASE" => "keybox",
                _ => return None,
            };
            Some(value.to_owned())
        };
        let Ok(StorageConfig::Mongo(settings)) = StorageConfig::from_lookup(lookup) else {
            panic!("mongodb settings expected");
        };
        let transport = Scripted {
            answers: RefCell::new(answers),
            actions: RefCell::default(),
        };
        MongoStore::new(&settings, transport)
    }

    /// The caller's project under the license's client, as `findOne` answers it.
    fn owned_project(user: &str) -> Result<(u16, String), String> {
        let document = serde_json::json!({"document": {
            "_id": {"$oid": "60f7b3b3e6b3a72e8c8e4a1b"}, "name": "Site",
            "client": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"}, "user": user,
            "createdAt": {"$date": {"$numberLong": "0"}}, "updatedAt": {"$date": {"$numberLong": "0"}},
        }});
        Ok((200, document.to_string()))
    }

    #[test]
    fn an_insert_is_one_project_lookup_then_one_insert_one_action() {
        let license = testing::license("60f7b3b3e6b3a72e8c8e4a1a");
        let answer = format!(r#"{{"insertedId":{{"$oid":"{}"}}}}"#, license.id);
        let store = store(vec![
            owned_project("60f7b3b3e6b3a72e8c8e4a1a"),
            Ok((201, answer)),
        ]);
        assert_eq!(pollster::block_on(store.insert(&license, None)), Ok(()));
        assert_eq!(*store.transport.actions.borrow(), ["findOne", "insertOne"]);
    }

    #[test]
    fn a_license_for_a_project_the_caller_does_not_own_is_refused_unwritten() {
        let license = testing::license("u");
        let none = Ok((200, r#"{"document":null}"#.to_owned()));
        let store = store(vec![none.clone(), none]);
        assert_eq!(
            pollster::block_on(store.insert(&license, None)),
            Err(StoreError::Refused(crate::storage::Refusal::ClientNotFound))
        );
        assert_eq!(*store.transport.actions.borrow(), ["findOne", "findOne"]);
    }

    #[test]
    fn a_transport_failure_never_carries_the_api_key() {
        let store = store(vec![
            owned_project("u"),
            Err("connect to k3y-never-shown@gateway failed".into()),
        ]);
        let license = testing::license("u");
        let Err(StoreError::Unavailable { operation, detail }) =
            pollster::block_on(store.insert(&license, None))
        else {
            panic!("a storage failure expected");
        };
        assert_eq!(operation, "insert license into MongoDB");
        assert!(!detail.contains("k3y-never-shown"), "{detail}");
        assert!(detail.contains("[redacted]"), "{detail}");
    }
}
