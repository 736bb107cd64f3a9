//! An in-process [`LicenseStore`] with the real backends' rules (unique key and `_id`, unique
//! `(user, idempotency key)`): the one fake of unit tests, application tests and benches.
//! Native only; never part of the worker.
//!
//! Failures a test needs are switches: [`MemoryStore::fail_next_inserts`] scripts the outcome of
//! the next inserts, and [`MemoryStore::miss_next_lookups`] makes idempotency lookups miss (a
//! concurrent writer whose row is not visible yet); [`MemoryStore::freeze_replica`] makes
//! validate's nearest reads answer from a lagging copy (D1 read replication).

mod owned;
mod replica;

pub use replica::KeyReads;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{IdempotentLicense, LicenseStore, LifecycleStore, NearestRead, StoreError};
use crate::domain::{
    is_due_to_expire, renewed_status, Client, IdempotencyKey, IdempotencyTag, License,
    LicenseFilter, LicenseStatus, ObjectId, PageRequest, Project, Seat, SeatRef, UserId,
};

/// Licenses in memory, in insertion order.
#[derive(Default)]
pub struct MemoryStore {
    licenses: RefCell<Vec<License>>,
    keys: RefCell<HashSet<String>>,
    ids: RefCell<HashSet<ObjectId>>,
    /// `(user, idempotency key)` → the tag and the index of its license in `licenses`.
    idempotency: RefCell<HashMap<(String, String), (IdempotencyTag, usize)>>,
    script: RefCell<Vec<StoreError>>,
    missed_lookups: Cell<usize>,
    insert_attempts: RefCell<Vec<License>>,
    keep_attempts: Cell<bool>,
    clients: RefCell<Vec<Client>>,
    projects: RefCell<Vec<Project>>,
    /// A lagging copy for nearest reads, once a test freezes one (`replica.rs`).
    replica: RefCell<Option<Vec<License>>>,
    key_reads: Cell<KeyReads>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that records every insert attempt, stored or not ([`Self::attempts`]).
    pub fn recording() -> Self {
        let store = Self::default();
        store.keep_attempts.set(true);
        store
    }

    /// The next inserts fail with these errors, in order; after them the rules apply again.
    pub fn fail_next_inserts(&self, errors: impl IntoIterator<Item = StoreError>) {
        self.script.borrow_mut().extend(errors);
    }

    /// The next `count` idempotency lookups answer "not found" whatever is stored.
    pub fn miss_next_lookups(&self, count: usize) {
        self.missed_lookups.set(count);
    }

    /// Every license stored, oldest first.
    pub fn licenses(&self) -> Vec<License> {
        self.licenses.borrow().clone()
    }

    /// Every license an insert was attempted with (only on a [`Self::recording`] store).
    pub fn attempts(&self) -> Vec<License> {
        self.insert_attempts.borrow().clone()
    }
}

fn scope(user: &UserId, key: &IdempotencyKey) -> (String, String) {
    (user.as_str().to_owned(), key.as_str().to_owned())
}

impl LicenseStore for MemoryStore {
    async fn insert(
        &self,
        license: &License,
        idempotency: Option<&IdempotencyTag>,
    ) -> Result<(), StoreError> {
        if self.keep_attempts.get() {
            self.insert_attempts.borrow_mut().push(license.clone());
        }
        if !self.script.borrow().is_empty() {
            return Err(self.script.borrow_mut().remove(0));
        }
        if let Some(refusal) = self.license_refusal(license) {
            return Err(StoreError::Refused(refusal));
        }
        if self.keys.borrow().contains(license.key.as_str())
            || self.ids.borrow().contains(&license.id)
        {
            return Err(StoreError::Duplicate);
        }
        let scoped = idempotency.map(|tag| scope(&license.user, &tag.key));
        if scoped
            .as_ref()
            .is_some_and(|s| self.idempotency.borrow().contains_key(s))
        {
            return Err(StoreError::IdempotencyConflict);
        }
        let mut licenses = self.licenses.borrow_mut();
        if let (Some(scoped), Some(tag)) = (scoped, idempotency) {
            self.idempotency
                .borrow_mut()
                .insert(scoped, (tag.clone(), licenses.len()));
        }
        self.keys
            .borrow_mut()
            .insert(license.key.as_str().to_owned());
        self.ids.borrow_mut().insert(license.id);
        licenses.push(license.clone());
        Ok(())
    }

    async fn find_idempotent(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentLicense>, StoreError> {
        if self.missed_lookups.get() > 0 {
            self.missed_lookups.set(self.missed_lookups.get() - 1);
            return Ok(None);
        }
        let records = self.idempotency.borrow();
        let Some((tag, index)) = records
            .get(&scope(user, key))
            .filter(|(t, _)| t.expires_at > now)
        else {
            return Ok(None);
        };
        Ok(Some(IdempotentLicense {
            license: self.licenses.borrow()[*index].clone(),
            fingerprint: tag.fingerprint.clone(),
        }))
    }

    async fn release_expired_idempotency_key(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut records = self.idempotency.borrow_mut();
        let scoped = scope(user, key);
        if records
            .get(&scoped)
            .is_some_and(|(t, _)| t.expires_at <= now)
        {
            records.remove(&scoped);
        }
        Ok(())
    }
}

impl MemoryStore {
    /// Changes the stored license `key` (a test forcing a date or a status).
    pub fn edit(&self, key: &str, change: impl FnOnce(&mut License)) {
        if let Some(license) = self
            .licenses
            .borrow_mut()
            .iter_mut()
            .find(|l| l.key.as_str() == key)
        {
            change(license);
        }
    }

    /// Applies `change` to the license `key` (of `owner`, when given) if `condition` holds:
    /// whether it applied. One borrow: as atomic as the real backends' conditional writes.
    fn update_if(
        &self,
        key: &str,
        owner: Option<&UserId>,
        condition: impl FnOnce(&License) -> bool,
        change: impl FnOnce(&mut License),
    ) -> Option<License> {
        let mut licenses = self.licenses.borrow_mut();
        let license = licenses
            .iter_mut()
            .find(|l| l.key.as_str() == key && owner.is_none_or(|o| *o == l.user))?;
        if !condition(license) {
            return None;
        }
        change(license);
        Some(license.clone())
    }
}

impl LifecycleStore for MemoryStore {
    async fn find_by_key(&self, key: &str) -> Result<Option<License>, StoreError> {
        self.count_primary_read();
        Ok(self
            .licenses
            .borrow()
            .iter()
            .find(|l| l.key.as_str() == key)
            .cloned())
    }

    async fn activate(
        &self,
        key: &str,
        seat: &SeatRef,
        now: DateTime<Utc>,
    ) -> Result<Option<License>, StoreError> {
        Ok(self.update_if(
            key,
            None,
            |l| {
                matches!(l.status, LicenseStatus::Pending | LicenseStatus::Active)
                    && l.expires_at > now
                    && l.seats.len() < usize::from(l.max_machines.get())
                    && !l.seats.iter().any(|s| s.is(seat))
            },
            |l| {
                l.status = LicenseStatus::Active;
                l.seats.push(Seat {
                    machine: seat.machine.clone(),
                    instance: seat.instance.clone(),
                    activated_at: now,
                });
            },
        ))
    }

    async fn deactivate(
        &self,
        key: &str,
        seat: &SeatRef,
        owner: Option<&UserId>,
    ) -> Result<bool, StoreError> {
        Ok(self
            .update_if(
                key,
                owner,
                |l| l.seats.iter().any(|s| s.is(seat)),
                |l| l.seats.retain(|s| !s.is(seat)),
            )
            .is_some())
    }

    async fn expire(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.update_if(
            key,
            None,
            |l| is_due_to_expire(l, now),
            |l| l.status = LicenseStatus::Expired,
        );
        Ok(())
    }

    async fn find_owned(&self, owner: &UserId, key: &str) -> Result<Option<License>, StoreError> {
        Ok(self
            .licenses
            .borrow()
            .iter()
            .find(|l| l.key.as_str() == key && l.user == *owner)
            .cloned())
    }

    async fn revoke(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let live = |l: &License| {
            matches!(l.status, LicenseStatus::Pending | LicenseStatus::Active) && l.expires_at > now
        };
        let change = |l: &mut License| l.status = LicenseStatus::Revoked;
        Ok(self.update_if(key, Some(owner), live, change).is_some())
    }

    async fn reinstate(
        &self,
        owner: &UserId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let revoked = |l: &License| l.status == LicenseStatus::Revoked && l.expires_at > now;
        let change = |l: &mut License| {
            l.status = if l.seats.is_empty() {
                LicenseStatus::Pending
            } else {
                LicenseStatus::Active
            }
        };
        Ok(self.update_if(key, Some(owner), revoked, change).is_some())
    }

    async fn renew(
        &self,
        owner: &UserId,
        key: &str,
        seen: &License,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let unchanged = |l: &License| l.status == seen.status && l.expires_at == seen.expires_at;
        let change = |l: &mut License| {
            l.status = renewed_status(l.status, !l.seats.is_empty());
            l.expires_at = until;
        };
        Ok(self
            .update_if(key, Some(owner), unchanged, change)
            .is_some())
    }

    async fn list(
        &self,
        owner: &UserId,
        filter: &LicenseFilter,
        page: &PageRequest,
    ) -> Result<Vec<License>, StoreError> {
        let newest_first = |l: &License| std::cmp::Reverse((l.issued_at, l.id.bytes()));
        let mut found: Vec<License> = self
            .licenses
            .borrow()
            .iter()
            .filter(|l| l.user == *owner)
            .filter(|l| filter.client.is_none_or(|c| c == l.client))
            .filter(|l| filter.project.is_none_or(|p| p == l.project))
            .filter(|l| filter.status.is_none_or(|s| s == l.status))
            .filter(|l| {
                page.after
                    .is_none_or(|c| (l.issued_at, l.id.bytes()) < (c.at, c.id.bytes()))
            })
            .cloned()
            .collect();
        found.sort_by_key(newest_first);
        found.truncate(page.fetch());
        Ok(found)
    }

    async fn expire_due(&self, now: DateTime<Utc>, batch: u32) -> Result<u32, StoreError> {
        let mut licenses = self.licenses.borrow_mut();
        let due = licenses
            .iter_mut()
            .filter(|l| is_due_to_expire(l, now))
            .take(batch as usize);
        let mut marked = 0;
        for license in due {
            license.status = LicenseStatus::Expired;
            marked += 1;
        }
        Ok(marked)
    }

    async fn find_by_key_nearest(&self, key: &str) -> Result<NearestRead, StoreError> {
        Ok(self.nearest_read(key))
    }
}
