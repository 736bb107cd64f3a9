//! The values bound to a D1 statement's `?N` and the JSON text `driver.js` binds them from:
//! one text per statement crosses from wasm to JS, not one value at a time. Pure, so natively
//! tested.

use serde_json::Value;

use crate::domain::json_text::{array, quote};

/// One bound value: text, a number or NULL.
pub type Param = Value;

pub fn text(value: impl Into<String>) -> Param {
    Value::String(value.into())
}

pub fn optional(value: Option<String>) -> Param {
    value.map_or(Value::Null, Value::String)
}

pub fn number(value: u64) -> Param {
    Value::from(value)
}

/// `values` as the JSON array `driver.js` spreads into `bind(…)`.
pub fn params_json(values: &[Param]) -> String {
    let values: Vec<String> = values.iter().map(value_json).collect();
    array(&values)
}

/// `[[sql, [value…]]…]`, the statements of one `batch`.
pub fn batch_json(statements: &[(&str, &[Param])]) -> String {
    let statements: Vec<String> = statements
        .iter()
        .map(|(sql, values)| array(&[quote(sql), params_json(values)]))
        .collect();
    array(&statements)
}

/// One bound value's JSON (text, a number or NULL: what the constructors above make).
fn value_json(value: &Param) -> String {
    match value {
        Value::String(text) => quote(text),
        Value::Number(n) => n.to_string(),
        _ => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_bind_as_json_text_numbers_and_nulls_in_their_order() {
        let values = [
            text("KB-1 \"x\"\n"),
            number(12),
            optional(None),
            optional(Some("m".into())),
        ];
        let json = params_json(&values);
        assert_eq!(json, r#"["KB-1 \"x\"\n",12,null,"m"]"#);
        let back: Vec<Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, values);
    }

    #[test]
    fn a_batch_pairs_each_statement_with_its_values() {
        let first = [text("a")];
        let json = batch_json(&[("INSERT 1", &first), ("INSERT 2", &[])]);
        assert_eq!(json, r#"[["INSERT 1",["a"]],["INSERT 2",[]]]"#);
    }
}
