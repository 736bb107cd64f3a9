//! Keyset pagination, newest first: a page is at most `limit` items ordered by
//! `(created, id)` descending, and the opaque cursor names the last item seen. Items created
//! between two page requests sort before the cursor, so they never shift later pages: no
//! duplicates, no gaps.

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, Utc};

use super::{ObjectId, RequestError};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u8 = 20;
/// The largest `limit`.
pub const MAX_LIMIT: u8 = 100;

/// Where the previous page ended: the `(created, id)` of its last item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: ObjectId,
}

impl Cursor {
    /// Opaque to clients: base64url of `<milliseconds>.<id>`.
    pub fn encode(&self) -> String {
        Base64UrlUnpadded::encode_string(
            format!("{}.{}", self.at.timestamp_millis(), self.id).as_bytes(),
        )
    }

    pub fn decode(text: &str) -> Result<Self, RequestError> {
        let bytes = Base64UrlUnpadded::decode_vec(text).map_err(|_| RequestError::InvalidCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| RequestError::InvalidCursor)?;
        let (millis, id) = text.split_once('.').ok_or(RequestError::InvalidCursor)?;
        let millis: i64 = millis.parse().map_err(|_| RequestError::InvalidCursor)?;
        Ok(Self {
            at: DateTime::from_timestamp_millis(millis).ok_or(RequestError::InvalidCursor)?,
            id: ObjectId::parse(id).map_err(|_| RequestError::InvalidCursor)?,
        })
    }
}

/// Which page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u8,
    /// Items strictly older than this; the first page when `None`.
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// From the `limit` and `cursor` query parameters.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, RequestError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(text) => text
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or(RequestError::InvalidLimit)?,
        };
        let after = cursor.map(Cursor::decode).transpose()?;
        Ok(Self { limit, after })
    }

    /// How many items a store should fetch: one more than the page, to know if another follows.
    pub fn fetch(&self) -> usize {
        usize::from(self.limit) + 1
    }
}

/// One page of items and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// From up to [`PageRequest::fetch`] items, newest first, as a store read them.
    pub fn from_fetched(
        mut items: Vec<T>,
        request: &PageRequest,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Self {
        let limit = usize::from(request.limit);
        let next = (items.len() > limit).then(|| {
            items.truncate(limit);
            items.last().map(&cursor_of)
        });
        Self {
            items,
            next: next.flatten(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            at: DateTime::from_timestamp_millis(1_706_695_200_123).unwrap(),
            id: ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap(),
        }
    }

    #[test]
    fn a_cursor_round_trips_through_its_opaque_text() {
        let text = cursor().encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(Cursor::decode(&text), Ok(cursor()));
    }

    #[test]
    fn a_tampered_cursor_is_invalid_not_a_panic() {
        let bad_id = Base64UrlUnpadded::encode_string(b"1.nothex");
        let bad_time =
            Base64UrlUnpadded::encode_string(b"99999999999999999999.60f7b3b3e6b3a72e8c8e4a1c");
        for text in ["", "!!!", "bm8tZG90", bad_id.as_str(), bad_time.as_str()] {
            assert_eq!(
                Cursor::decode(text),
                Err(RequestError::InvalidCursor),
                "{text}"
            );
        }
    }

    #[test]
    fn limit_defaults_to_20_and_must_be_1_to_100() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 20);
        assert_eq!(PageRequest::parse(Some("100"), None).unwrap().limit, 100);
        for bad in ["0", "101", "-1", "ten", "", "1.5"] {
            assert_eq!(
                PageRequest::parse(Some(bad), None),
                Err(RequestError::InvalidLimit),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_full_fetch_has_a_next_cursor_at_its_last_kept_item() {
        let request = PageRequest {
            limit: 2,
            after: None,
        };
        let at = |n: i64| Cursor {
            at: DateTime::from_timestamp_millis(n).unwrap(),
            id: cursor().id,
        };
        let page = Page::from_fetched(vec![3, 2, 1], &request, |n| at(*n));
        assert_eq!(page.items, vec![3, 2]);
        assert_eq!(page.next, Some(at(2)));
        let last = Page::from_fetched(vec![1], &request, |n| at(*n));
        assert_eq!((last.items, last.next), (vec![1], None));
    }
}
