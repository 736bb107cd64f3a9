//! The developer's and the scheduler's writes on MongoDB (bodies in `admin_actions`).

use chrono::{DateTime, Utc};

use serde_json::Value;

use super::admin_actions::{list_body, renew_body};
use super::answers::answer_of;
use super::decoding::license;
use super::{DataApi, MongoStore};
use crate::domain::{License, LicenseFilter, LicenseStatus, PageRequest, UserId};
use crate::storage::StoreError;

/// The `find` answer `{"documents": [...]}`.
pub(super) fn documents(
    operation: &'static str,
    status: u16,
    body: &str,
) -> Result<Vec<Value>, StoreError> {
    let mut answer = answer_of(operation, status, body)?;
    match answer.get_mut("documents").map(Value::take) {
        Some(Value::Array(documents)) => Ok(documents),
        _ => Err(StoreError::Unavailable {
            operation,
            detail: format!("the Data API answered {status} without a documents array"),
        }),
    }
}

impl<T: DataApi> MongoStore<T> {
    /// One conditional `updateOne`; for an EXPIRED license two, each atomic (with seats →
    /// ACTIVE, else without → PENDING), as reinstating: an expired license gains no seat in
    /// between, and losing one makes the second apply.
    pub(super) async fn renew_license(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const OPERATION: &str = "renew license in MongoDB";
        let body =
            |seats, status| renew_body(&self.namespace, owner, key, seen, seats, status, until);
        if seen.status != LicenseStatus::Expired {
            return self.update_one(OPERATION, body(None, None)).await;
        }
        for (held, to) in [(true, "ACTIVE"), (false, "PENDING")] {
            if self
                .update_one(OPERATION, body(Some(held), Some(to)))
                .await?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(super) async fn list_licenses(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError> {
        const OPERATION: &str = "list licenses in MongoDB";
        let body = list_body(&self.namespace, owner, filter, page);
        let (status, answer) = self.call(OPERATION, "find", body).await?;
        let found = documents(OPERATION, status, &answer).map_err(|e| self.redacted(e))?;
        found
            .iter()
            .map(|document| {
                license(document).map_err(|detail| StoreError::Unavailable {
                    operation: OPERATION,
                    detail,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_find_answer_is_its_documents_and_anything_else_a_failure() {
        assert_eq!(
            documents("op", 200, r#"{"documents":[{"a":1}]}"#).map(|d| d.len()),
            Ok(1)
        );
        assert!(documents("op", 200, r#"{"document":null}"#).is_err());
        assert!(documents("op", 500, r#"{"error":"boom"}"#).is_err());
    }
}
