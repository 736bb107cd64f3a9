//! A lagging read replica for [`MemoryStore`], the way D1's read replication behaves: a copy
//! frozen at some earlier state that [`LifecycleStore::find_by_key_nearest`] answers from,
//! while every other call reads and writes the primary. Off unless a test freezes one, so the
//! store answers like a backend without replicas (MongoDB's Data API).

use super::MemoryStore;
use crate::domain::License;
use crate::storage::NearestRead;

/// How many times each copy was read by key (what a test of the hot path counts).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KeyReads {
    pub nearest: usize,
    pub primary: usize,
}

impl MemoryStore {
    /// From now on, nearest reads answer from a copy of the licenses as they are now, marked
    /// as possibly lagging; later writes reach only the primary (a replica that has not caught
    /// up yet).
    pub fn freeze_replica(&self) {
        *self.replica.borrow_mut() = Some(self.licenses());
    }

    /// The reads by key so far, per copy.
    pub fn key_reads(&self) -> KeyReads {
        self.key_reads.get()
    }

    pub(super) fn count_primary_read(&self) {
        let mut reads = self.key_reads.get();
        reads.primary += 1;
        self.key_reads.set(reads);
    }

    /// The nearest copy's answer: the frozen replica's, or the primary's when none is frozen.
    pub(super) fn nearest_read(&self, key: &str) -> NearestRead {
        let mut reads = self.key_reads.get();
        reads.nearest += 1;
        self.key_reads.set(reads);
        let find = |licenses: &[License]| licenses.iter().find(|l| l.key.as_str() == key).cloned();
        match &*self.replica.borrow() {
            Some(replica) => NearestRead {
                license: find(replica),
                may_lag: true,
            },
            None => NearestRead {
                license: find(&self.licenses.borrow()),
                may_lag: false,
            },
        }
    }
}
