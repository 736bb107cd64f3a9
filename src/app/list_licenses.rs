//! List the caller's licenses, newest first, in keyset pages (see `domain::page`).

use super::AppError;
use crate::domain::{Cursor, License, LicenseFilter, Page, PageRequest, UserId};
use crate::storage::LifecycleStore;

/// One page of `owner`'s licenses matching `filter`.
pub async fn list_licenses<S: LifecycleStore>(
    store: &S,
    owner: &UserId,
    filter: &LicenseFilter,
    page: &PageRequest,
) -> Result<Page<License>, AppError> {
    let fetched = store.list(owner, filter, page).await?;
    Ok(Page::from_fetched(fetched, page, |l| Cursor {
        at: l.issued_at,
        id: l.id,
    }))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::app::testing::{issue_for, owner, stranger, PROJECT};
    use crate::domain::{LicenseStatus, ObjectId};
    use crate::storage::MemoryStore;

    /// Another developer's project (licenses live only in their owner's projects).
    const STRANGERS_PROJECT: &str = "60f7b3b3e6b3a72e8c8e4abb";

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, minute, 0).unwrap()
    }

    fn list(
        store: &MemoryStore,
        user: &UserId,
        filter: LicenseFilter,
        limit: u8,
        after: Option<Cursor>,
    ) -> Page<License> {
        let page = PageRequest { limit, after };
        pollster::block_on(list_licenses(store, user, &filter, &page)).unwrap()
    }

    #[test]
    fn pages_walk_the_owners_licenses_newest_first_without_duplicates_or_gaps() {
        let store = MemoryStore::new();
        // Two share an issue time: the id breaks the tie.
        let mut issued: Vec<License> = [0, 1, 2, 2, 3, 4, 5]
            .into_iter()
            .map(|m| issue_for(&store, &owner(), PROJECT, at(m), 1))
            .collect();
        issue_for(&store, &stranger(), STRANGERS_PROJECT, at(9), 1);
        issued.sort_by_key(|l| std::cmp::Reverse((l.issued_at, l.id.bytes())));
        let mut seen = Vec::new();
        let mut after = None;
        for expected_len in [3, 3, 1] {
            let page = list(&store, &owner(), LicenseFilter::default(), 3, after);
            assert_eq!(page.items.len(), expected_len);
            seen.extend(page.items);
            after = page.next;
        }
        assert_eq!(after, None, "the last page has no cursor");
        assert_eq!(seen, issued);
    }

    #[test]
    fn filters_narrow_the_list_and_another_developer_sees_nothing() {
        let store = MemoryStore::new();
        let other_project = "60f7b3b3e6b3a72e8c8e4aff";
        let a = issue_for(&store, &owner(), PROJECT, at(1), 1);
        issue_for(&store, &owner(), other_project, at(2), 1);
        store.edit(a.key.as_str(), |l| l.status = LicenseStatus::Revoked);
        let by_project = LicenseFilter {
            project: Some(ObjectId::parse(other_project).unwrap()),
            ..LicenseFilter::default()
        };
        assert_eq!(list(&store, &owner(), by_project, 10, None).items.len(), 1);
        let revoked = LicenseFilter {
            status: Some(LicenseStatus::Revoked),
            ..LicenseFilter::default()
        };
        let page = list(&store, &owner(), revoked, 10, None);
        assert_eq!(
            page.items.iter().map(|l| l.key.clone()).collect::<Vec<_>>(),
            vec![a.key]
        );
        assert!(
            list(&store, &stranger(), LicenseFilter::default(), 10, None)
                .items
                .is_empty()
        );
    }
}
