//! The backend `STORAGE` names, opened per request (a binding lookup, no I/O).
//!
//! One enum rather than a generic `serve::<S>` per backend: the request path is compiled once,
//! not once per backend. Measured on the same tree: 204,692 bytes gzip with the enum, 207,632
//! with a generic `serve` per backend.

use chrono::{DateTime, Utc};
use worker::Env;

use super::data_api::FetchDataApi;
use crate::config::{ConfigError, StorageConfig};
use crate::domain::{IdempotencyKey, IdempotencyTag, IdempotentLicense, License, UserId};
use crate::domain::{LicenseFilter, PageRequest, SeatRef};
use crate::storage::{D1Store, LicenseStore, LifecycleStore, MongoStore, NearestRead, StoreError};

pub enum Store {
    D1(D1Store),
    Mongo(MongoStore<FetchDataApi>),
}

/// The configured backend; a misconfiguration is reported, never a panic.
pub fn open(env: &Env, storage: &Result<StorageConfig, ConfigError>) -> Result<Store, ConfigError> {
    match storage.clone()? {
        StorageConfig::D1 => env
            .d1("DB")
            .map(|db| Store::D1(D1Store::new(db)))
            .map_err(|_| ConfigError {
                setting: "DB",
                problem: "(D1 binding) is not configured",
            }),
        StorageConfig::Mongo(settings) => Ok(Store::Mongo(MongoStore::new(
            &settings,
            FetchDataApi {
                settings: settings.clone(),
            },
        ))),
    }
}

impl LicenseStore for Store {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        match self {
            Self::D1(store) => store.insert(license, idempotency).await,
            Self::Mongo(store) => store.insert(license, idempotency).await,
        }
    }

    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError> {
        match self {
            Self::D1(store) => store.find_idempotent(user, key, now).await,
            Self::Mongo(store) => store.find_idempotent(user, key, now).await,
        }
    }

    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        match self {
            Self::D1(store) => store.release_expired_idempotency_key(user, key, now).await,
            Self::Mongo(store) => store.release_expired_idempotency_key(user, key, now).await,
        }
    }
}

/// Runs the same call on whichever backend is configured.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Self::D1($store) => $call,
            Self::Mongo($store) => $call,
        }
    };
}

impl LifecycleStore for Store {
    async fn find_by_key(&self, key: &str) -> Result<Option<License>, StoreError> {
        delegate!(self, s => s.find_by_key(key).await)
    }

    async fn activate(
        &self,
        key: &str,
        seat: &SeatRef,
        now: DateTime<Utc>,
    ) -> Result<Option<License>, StoreError> {
        delegate!(self, s => s.activate(key, seat, now).await)
    }

    async fn deactivate(
        &self,
        key: &str,
        seat: &SeatRef,
        owner: Option<&UserId>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.deactivate(key, seat, owner).await)
    }

    async fn expire(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        delegate!(self, s => s.expire(key, now).await)
    }

    async fn find_owned(&self, owner: &UserId, key: &str) -> Result<Option<License>, StoreError> {
        delegate!(self, s => s.find_owned(owner, key).await)
    }

    async fn revoke(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.revoke(owner, key, now).await)
    }

    async fn reinstate(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.reinstate(owner, key, now).await)
    }

    async fn renew(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.renew(owner, key, seen, until).await)
    }

    async fn list(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError> {
        delegate!(self, s => s.list(owner, filter, page).await)
    }

    async fn expire_due(&self, now: DateTime<Utc>, batch: u32) -> Result<u32, StoreError> {
        delegate!(self, s => s.expire_due(now, batch).await)
    }

    async fn find_by_key_nearest(&self, key: &str) -> Result<NearestRead, StoreError> {
        delegate!(self, s => s.find_by_key_nearest(key).await)
    }
}
