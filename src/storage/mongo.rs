//! MongoDB through the Data API HTTP protocol: `POST {MONGODB_DATA_API_URL}/action/{action}`
//! with a canonical EJSON body and the `api-key` header. The hosted Atlas Data API ended on
//! 2025-09-30; the URL points at a Data-API-compatible gateway the deployment runs.
//!
//! Everything about the wire format (documents, answers, errors) is in the pure `ejson.rs`;
//! this file only sends the request, bounded by [`TIMEOUT`].

use std::time::Duration;

use futures_util::future::{select, Either};
use wasm_bindgen::JsValue;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

use super::ejson::{insert_one_body, insert_outcome, redact, Namespace};
use super::{LicenseStore, StoreError};
use crate::config::MongoSettings;
use crate::domain::License;

/// How long one Data API call (connect, answer and body) may take before it is aborted.
pub const TIMEOUT: Duration = Duration::from_secs(5);

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
        let headers = Headers::new();
        for (name, value) in [
            ("content-type", "application/ejson"),
            ("accept", "application/ejson"),
            ("api-key", self.settings.api_key.as_str()),
        ] {
            headers
                .set(name, value)
                .map_err(|e| failed(format!("header {name}: {e}")))?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&body)));
        let request = Request::new_with_init(&self.settings.action_url(action), &init)
            .map_err(|e| failed(format!("build the {action} request: {e}")))?;

        let controller = AbortController::default();
        let signal = controller.signal();
        let exchange = async {
            let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
            let status = response.status_code();
            let text = response.text().await?;
            Ok::<_, worker::Error>((status, text))
        };
        let exchange = std::pin::pin!(exchange);
        match select(exchange, Delay::from(TIMEOUT)).await {
            Either::Left((Ok(answer), _)) => Ok(answer),
            Either::Left((Err(e), _)) => Err(failed(format!("{action} request failed: {e}"))),
            Either::Right(_) => {
                controller.abort();
                Err(failed(format!(
                    "{action}: no answer from the Data API within {} s",
                    TIMEOUT.as_secs()
                )))
            }
        }
    }
}

impl LicenseStore for MongoStore {
    async fn insert(&self, license: &License) -> Result<(), StoreError> {
        const OPERATION: &str = "insert license into MongoDB";
        let body = insert_one_body(&self.namespace, license);
        let (status, answer) = self.call(OPERATION, "insertOne", body).await?;
        insert_outcome(status, &answer, &license.id).map_err(|error| match error {
            StoreError::Unavailable { operation, detail } => StoreError::Unavailable {
                operation,
                detail: redact(&detail, &self.settings.api_key),
            },
            duplicate => duplicate,
        })
    }
}
