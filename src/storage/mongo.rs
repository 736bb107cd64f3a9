//! MongoDB through the Data API HTTP protocol: `POST {MONGODB_DATA_API_URL}/action/{action}`
//! with a canonical EJSON body and the `api-key` header. The hosted Atlas Data API ended on
//! 2025-09-30; the URL points at a Data-API-compatible gateway the deployment runs.
//!
//! Everything about the wire format (documents, answers, errors) is in the pure `ejson.rs`;
//! this file only sends the request, bounded by [`TIMEOUT_MS`]. It calls `fetch` through
//! `web-sys` (the types `worker::Fetch` wraps): `worker::RequestInit` links its whole `cf`
//! properties conversion, a quarter of this backend's size.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, Response, WorkerGlobalScope};

use super::ejson::{
    find_idempotent_body, find_idempotent_outcome, insert_one_body, insert_outcome, redact,
    release_expired_body, update_outcome, Namespace,
};
use super::{IdempotentLicense, LicenseStore, StoreError};
use crate::config::MongoSettings;
use chrono::{DateTime, Utc};

use crate::domain::{IdempotencyKey, IdempotencyTag, License, UserId};

/// How long one Data API call (connect, answer and body) may take before it is aborted
/// (`AbortSignal.timeout`, created per call: Workers forbid timers at global scope).
pub const TIMEOUT_MS: u32 = 5_000;

/// Licenses in a MongoDB collection, one document each.
pub struct MongoStore {
    settings: MongoSettings,
    namespace: Namespace,
}

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

    /// Posts `body` to `action`; answers the status and body text, or a failure (network
    /// error, timeout) whose detail never contains the API key.
    async fn call(
        &self,
        operation: &'static str,
        action: &str,
        body: String,
    ) -> Result<(u16, String), StoreError> {
        let failed = |detail: String| StoreError::Unavailable {
            operation,
            detail: redact(&detail, &self.settings.api_key),
        };
        let url = self.settings.action_url(action);
        // Aborts the fetch and the body read alike once TIMEOUT_MS have passed.
        let deadline = AbortSignal::timeout_with_u32(TIMEOUT_MS);
        let exchange = async {
            let headers = Headers::new()?;
            headers.set("content-type", "application/ejson")?;
            headers.set("accept", "application/ejson")?;
            headers.set("api-key", &self.settings.api_key)?;
            let init = RequestInit::new();
            init.set_method("POST");
            init.set_headers(&headers);
            init.set_body(&JsValue::from_str(&body));
            init.set_signal(Some(&deadline));
            let global: WorkerGlobalScope = js_sys::global().unchecked_into();
            let response: Response = JsFuture::from(global.fetch_with_str_and_init(&url, &init))
                .await?
                .dyn_into()?;
            let text = JsFuture::from(response.text()?).await?;
            Ok::<_, JsValue>((response.status(), text.as_string().unwrap_or_default()))
        };
        match exchange.await {
            Ok(answer) => Ok(answer),
            Err(_) if deadline.aborted() => Err(failed(format!(
                "{action}: no answer from the Data API within {} s",
                TIMEOUT_MS / 1000
            ))),
            Err(e) => Err(failed(format!("{action} request failed: {}", describe(&e)))),
        }
    }
}

/// A thrown JavaScript value as text (an `Error`'s message, or the value itself).
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

impl MongoStore {
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
