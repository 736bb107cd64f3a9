use serde::Serialize;
use serde_json::Value;

/// A license's length in whole months, 1 to 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Duration(u8);

impl Duration {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 12;

    /// Accepts a JSON integer in `1..=12`; strings, floats, booleans and `null` are refused.
    pub fn parse(value: Option<&Value>) -> Option<Self> {
        u8::try_from(value?.as_u64()?)
            .ok()
            .and_then(Self::from_months)
    }

    /// Builds a duration from a month count, refusing values outside `1..=12`.
    pub fn from_months(months: u8) -> Option<Self> {
        (Self::MIN..=Self::MAX)
            .contains(&months)
            .then_some(Self(months))
    }

    pub fn months(self) -> u8 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_every_integer_from_one_to_twelve() {
        for months in 1..=12u8 {
            assert_eq!(
                Duration::parse(Some(&json!(months))).map(Duration::months),
                Some(months)
            );
        }
    }

    #[test]
    fn refuses_anything_that_is_not_an_integer_in_range() {
        let bad = [
            json!(0),
            json!(13),
            json!(-1),
            json!(1.5),
            json!(12.0),
            json!("12"),
            json!(null),
            json!(true),
            json!([12]),
            json!({"months": 12}),
            json!(u64::MAX),
        ];
        for value in bad {
            assert_eq!(
                Duration::parse(Some(&value)),
                None,
                "{value} must be refused"
            );
        }
        assert_eq!(
            Duration::parse(None),
            None,
            "a missing duration must be refused"
        );
    }
}
