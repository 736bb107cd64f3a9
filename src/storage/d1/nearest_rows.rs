//! What D1's answer to validate's nearest read says about its freshness. Pure, so natively
//! tested; `nearest.rs` does the I/O.

/// Whether a read may lag the primary, from its `D1Result.meta.served_by_primary`: unless D1
/// says the primary served it, it may (a replica served it, or nobody said: D1 documents the
/// field on every remote query, and the local D1 of `wrangler dev` sets it too, so a missing
/// one is a runtime we do not know, taken at its worst).
pub fn may_lag(served_by_primary: Option<bool>) -> bool {
    served_by_primary != Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

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
