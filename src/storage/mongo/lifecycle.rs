//! [`LifecycleStore`] on MongoDB: each change one conditional `updateOne`; the answers read
//! into licenses or "did it apply" (`matchedCount`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::answers::answer_of;
use super::decoding::license;
use super::lifecycle_actions::{
    activate_body, deactivate_body, expire_body, find_by_key_body, set_status_body,
};
use super::{DataApi, MongoStore};
use crate::domain::{License, LicenseFilter, PageRequest, SeatRef, UserId};
use crate::storage::{LifecycleStore, StoreError};

/// The `findOne` answer `{"document": {...} | null}` as a license.
pub(super) fn found(
    operation: &'static str,
    status: u16,
    body: &str,
) -> Result<Option<License>, StoreError> {
    let unavailable = |detail: String| StoreError::Unavailable { operation, detail };
    let answer = answer_of(operation, status, body)?;
    match answer.get("document") {
        Some(Value::Null) => Ok(None),
        Some(document) => license(document).map(Some).map_err(unavailable),
        None => Err(unavailable(format!(
            "the Data API answered {status} without a document field"
        ))),
    }
}

/// Whether an `updateOne` answer `{"matchedCount": n, ...}` matched a document.
pub(super) fn matched(
    operation: &'static str,
    status: u16,
    body: &str,
) -> Result<bool, StoreError> {
    let answer = answer_of(operation, status, body)?;
    let count = answer.get("matchedCount").and_then(|n| {
        n.as_u64()
            .or_else(|| n.get("$numberInt")?.as_str()?.parse().ok())
    });
    count.map(|n| n > 0).ok_or_else(|| StoreError::Unavailable {
        operation,
        detail: format!("the Data API answered {status} without a matchedCount"),
    })
}

impl<T: DataApi> MongoStore<T> {
    pub(super) async fn find_license(
        &self,
        operation: &'static str,
        body: String,
    ) -> Result<Option<License>, StoreError> {
        let (status, answer) = self.call(operation, "findOne", body).await?;
        found(operation, status, &answer).map_err(|e| self.redacted(e))
    }

    pub(super) async fn update_one(
        &self,
        operation: &'static str,
        body: String,
    ) -> Result<bool, StoreError> {
        let (status, answer) = self.call(operation, "updateOne", body).await?;
        matched(operation, status, &answer).map_err(|e| self.redacted(e))
    }
}

impl<T: DataApi> LifecycleStore for MongoStore<T> {
    async fn find_by_key(&self, key: &str) -> Result<Option<License>, StoreError> {
        let body = find_by_key_body(&self.namespace, key, None);
        self.find_license("find license in MongoDB", body).await
    }

    async fn activate(
        &self,
        key: &str,
        seat: &SeatRef,
        now: DateTime<Utc>,
    ) -> Result<Option<License>, StoreError> {
        let body = activate_body(&self.namespace, key, seat, now);
        if !self.update_one("activate license in MongoDB", body).await? {
            return Ok(None);
        }
        // The Data API has no findOneAndUpdate: the answer's expiry is read after the write
        // (which alone decided).
        self.find_by_key(key).await
    }

    async fn deactivate(
        &self,
        key: &str,
        seat: &SeatRef,
        owner: Option<&UserId>,
    ) -> Result<bool, StoreError> {
        let body = deactivate_body(&self.namespace, key, seat, owner);
        self.update_one("deactivate license in MongoDB", body).await
    }

    async fn expire(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let body = expire_body(&self.namespace, key, now);
        self.update_one("expire license in MongoDB", body).await?;
        Ok(())
    }

    async fn find_owned(&self, owner: &UserId, key: &str) -> Result<Option<License>, StoreError> {
        let body = find_by_key_body(&self.namespace, key, Some(owner));
        self.find_license("find owned license in MongoDB", body)
            .await
    }

    async fn revoke(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let from = ["PENDING", "ACTIVE"];
        let body = set_status_body(&self.namespace, owner, key, &from, None, "REVOKED", now);
        self.update_one("revoke license in MongoDB", body).await
    }

    /// Two conditional updates, each atomic: with seats → ACTIVE, else without → PENDING (a
    /// revoked license cannot gain a seat in between; losing one makes the second apply).
    async fn reinstate(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const OPERATION: &str = "reinstate license in MongoDB";
        for (held, to) in [(true, "ACTIVE"), (false, "PENDING")] {
            let body = set_status_body(
                &self.namespace,
                owner,
                key,
                &["REVOKED"],
                Some(held),
                to,
                now,
            );
            if self.update_one(OPERATION, body).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn renew(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.renew_license(owner, key, seen, until).await
    }

    async fn list(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError> {
        self.list_licenses(owner, filter, page).await
    }

    async fn expire_due(&self, now: DateTime<Utc>, batch: u32) -> Result<u32, StoreError> {
        self.expire_due_batch(now, batch).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_counts_read_as_whether_the_write_applied() {
        assert_eq!(
            matched("op", 200, r#"{"matchedCount":1,"modifiedCount":1}"#),
            Ok(true)
        );
        assert_eq!(
            matched("op", 200, r#"{"matchedCount":{"$numberInt":"0"}}"#),
            Ok(false)
        );
        assert!(matched("op", 200, r#"{"modifiedCount":1}"#).is_err());
        assert!(matched("op", 500, r#"{"error":"boom"}"#).is_err());
    }

    #[test]
    fn a_missing_document_is_none_and_a_garbled_one_a_failure() {
        assert_eq!(found("op", 200, r#"{"document":null}"#), Ok(None));
        assert!(found("op", 200, r#"{"document":{"key":1}}"#).is_err());
    }
}
