//! The developer's and the scheduler's writes on MongoDB (bodies in `admin_actions`).

use chrono::{DateTime, Utc};

use serde_json::Value;

use super::admin_actions::{due_ids_body, expire_ids_body, list_body, renew_body};
use super::answers::answer_of;
use super::decoding::{license, object_id};
use super::{DataApi, MongoStore};
use crate::domain::{License, LicenseFilter, LicenseStatus, PageRequest, UserId};
use crate::storage::StoreError;

/// How many documents an `updateMany` answer `{"modifiedCount": n, ...}` changed.
pub(super) fn modified(
    operation: &'static str,
    status: u16,
    body: &str,
) -> Result<u32, StoreError> {
    let answer = answer_of(operation, status, body)?;
    let count = answer.get("modifiedCount").and_then(|n| {
        n.as_u64()
            .or_else(|| n.get("$numberInt")?.as_str()?.parse().ok())
    });
    count
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        .ok_or_else(|| StoreError::Unavailable {
            operation,
            detail: format!("the Data API answered {status} without a modifiedCount"),
        })
}

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

    /// A `find` of due ids, then one `updateMany` of those still due: no read decides a
    /// write, and a license changed in between is left alone.
    pub(super) async fn expire_due_batch(
        &self,
        now: DateTime<Utc>,
        batch: u32,
    ) -> Result<u32, StoreError> {
        const OPERATION: &str = "expire due licenses in MongoDB";
        let body = due_ids_body(&self.namespace, now, batch);
        let (status, answer) = self.call(OPERATION, "find", body).await?;
        let found = documents(OPERATION, status, &answer).map_err(|e| self.redacted(e))?;
        // Written back as the ObjectIds KeyBox stores every license `_id` as (a plain-JSON
        // gateway answers them as hex strings); a document with another `_id` was not written
        // by KeyBox and is left alone.
        let ids: Vec<_> = found
            .iter()
            .filter_map(|d| object_id(d.get("_id")?))
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let body = expire_ids_body(&self.namespace, &ids, now);
        let (status, answer) = self.call(OPERATION, "updateMany", body).await?;
        modified(OPERATION, status, &answer).map_err(|e| self.redacted(e))
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

    #[test]
    fn an_update_many_answer_is_its_modified_count() {
        assert_eq!(
            modified("op", 200, r#"{"matchedCount":3,"modifiedCount":2}"#),
            Ok(2)
        );
        assert_eq!(
            modified("op", 200, r#"{"modifiedCount":{"$numberInt":"7"}}"#),
            Ok(7)
        );
        assert!(modified("op", 200, r#"{"matchedCount":1}"#).is_err());
    }
}
