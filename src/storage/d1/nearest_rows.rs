//! What D1's answer to validate's nearest read says about its freshness. Pure, so natively
//! tested; `nearest.rs` does the I/O.

/// Whether a read may lag the primary, from its `D1Result.meta.served_by_primary`: unless D1
/// says the primary served it, it may (a replica served it, or nobody said: D1 documents the
/// field on every remote query, and the local D1 of `wrangler dev` sets it too, so a missing
/// one is a runtime we do not know, taken at its worst).
pub fn may_lag(served_by_primary: Option<bool>) -> bool {
    served_by_primary != Some(true)
}

/// The answer of `nearestRow` (`nearest.js`): whether the read may lag, and the row's JSON.
#[derive(Debug, PartialEq, Eq)]
pub struct NearestAnswer<'a> {
    pub may_lag: bool,
    pub row: Option<&'a str>,
}

impl<'a> NearestAnswer<'a> {
    /// Reads `1`, `0` or `?` (D1 said the primary served it, a replica did, nobody said), then
    /// the row's JSON or nothing. An empty text is a runtime we do not know: no row, may lag.
    pub fn parse(text: &'a str) -> Self {
        let (flag, row) = text.split_at(text.len().min(1));
        let served_by_primary = match flag {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        Self {
            may_lag: may_lag(served_by_primary),
            row: (!row.is_empty()).then_some(row),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_gives_the_freshness_flag_then_the_row() {
        let row = r#"{"key":"KB-1","status":"ACTIVE"}"#;
        let cases = [
            (format!("1{row}"), false, Some(row)),
            (format!("0{row}"), true, Some(row)),
            (format!("?{row}"), true, Some(row)),
            ("1".to_owned(), false, None),
            ("0".to_owned(), true, None),
            (String::new(), true, None),
        ];
        for (text, may_lag, row) in &cases {
            assert_eq!(
                NearestAnswer::parse(text),
                NearestAnswer {
                    may_lag: *may_lag,
                    row: *row
                },
                "{text}"
            );
        }
    }

    #[test]
    fn only_a_read_d1_says_the_primary_served_is_taken_as_current() {
        // (meta.served_by_primary, whether the read may lag)
        let cases = [
            (Some(true), false), // the primary (replication off, local wrangler dev)
            (Some(false), true), // a replica
            (None, true),        // a runtime that does not say
        ];
        for (served_by_primary, lags) in cases {
            assert_eq!(may_lag(served_by_primary), lags, "{served_by_primary:?}");
        }
    }
}
