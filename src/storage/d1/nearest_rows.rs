//! D1's answer to validate's nearest read, decoded: the row, and whether the copy that
//! served it may lag the primary. Pure, so natively tested; `nearest.rs` does the I/O.

use serde::Deserialize;

use super::rows::LicenseRow;

/// A `D1Result` (`all()`) as `JSON.stringify` writes it: the rows and the `meta` D1 adds.
#[derive(Deserialize)]
pub struct NearestAnswer {
    results: Vec<LicenseRow>,
    #[serde(default)]
    meta: Option<Meta>,
}

/// The one field of `meta` read. D1 sets it on every remote query; local `wrangler dev`
/// leaves it out.
#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    served_by_primary: Option<bool>,
}

impl NearestAnswer {
    /// The row (keys are unique: at most one), and whether it may lag the primary: unless D1
    /// says the primary served it, it may (a replica, or nobody said).
    pub fn into_parts(self) -> (Option<LicenseRow>, bool) {
        let from_primary = self.meta.and_then(|m| m.served_by_primary) == Some(true);
        (self.results.into_iter().next(), !from_primary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = r#"{"id":"60f7b3b3e6b3a72e8c8e4a1c","key":"KB-1","duration":12,
        "issued_at":"2024-01-31T10:00:00.123Z","expires_at":"2025-01-31T10:00:00.123Z",
        "status":"ACTIVE","services":"[]","user_id":"auth0|42",
        "client_id":"60f7b3b3e6b3a72e8c8e4a1a","project_id":"60f7b3b3e6b3a72e8c8e4a1b",
        "max_machines":1,"seats":"[]"}"#;

    fn parts(json: &str) -> (Option<String>, bool) {
        let answer: NearestAnswer = serde_json::from_str(json).unwrap();
        let (row, may_lag) = answer.into_parts();
        (row.map(|r| r.key), may_lag)
    }

    #[test]
    fn only_an_answer_d1_says_the_primary_served_is_taken_as_current() {
        // (what `meta` says, whether the read may lag)
        let cases = [
            (
                r#""meta":{"served_by_region":"WEUR","served_by_primary":true}"#,
                false,
            ),
            (
                r#""meta":{"served_by_region":"APAC","served_by_primary":false}"#,
                true,
            ),
            (r#""meta":{"duration":0.1,"changes":0}"#, true), // local wrangler dev
            (r#""meta":null"#, true),
            (r#""success":true"#, true),
        ];
        for (meta, may_lag) in cases {
            let json = format!(r#"{{"results":[{ROW}],{meta}}}"#);
            assert_eq!(parts(&json), (Some("KB-1".into()), may_lag), "{meta}");
        }
    }

    #[test]
    fn no_row_is_no_license() {
        let json = r#"{"results":[],"meta":{"served_by_primary":true}}"#;
        assert_eq!(parts(json), (None, false));
    }
}
