use crate::domain::json_text::Obj;

/// A response ready to send: status, extra headers and a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// The real cause of a 500, for the log; never sent.
    pub log: Option<String>,
}

impl ApiResponse {
    /// Headers every response carries: JSON, and license data is never cached. A header of
    /// the same name in [`Self::headers`] replaces the common one.
    pub const COMMON_HEADERS: [(&'static str, &'static str); 3] = [
        ("content-type", "application/json; charset=utf-8"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ];

    /// A body of text fields, `{"name":"value",...}` in the given order, written directly:
    /// the error answers and other fixed shapes, without building a `serde_json::Value`.
    pub fn text_fields(status: u16, fields: &[(&str, &str)]) -> Self {
        let mut body = Obj::new();
        for (name, value) in fields {
            body.str(name, value);
        }
        Self::raw_json(status, body.end())
    }

    /// `{"message": message}`: every 4xx, and the deletions' 200.
    pub fn message(status: u16, message: &str) -> Self {
        Self::text_fields(status, &[("message", message)])
    }

    /// A body that is JSON already.
    pub fn raw_json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            log: None,
        }
    }

    /// A response without a body (`204`).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
            log: None,
        }
    }

    /// The value of an extra header set on this response (names are lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_json_strings_in_the_given_order() {
        let reply = ApiResponse::text_fields(
            401,
            &[("message", "Unauthorized"), ("error", "a \"b\"\n\\")],
        );
        assert_eq!(reply.status, 401);
        assert_eq!(
            reply.body,
            r#"{"message":"Unauthorized","error":"a \"b\"\n\\"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(parsed["error"], "a \"b\"\n\\");
        assert_eq!(
            ApiResponse::message(404, "Not found").body,
            r#"{"message":"Not found"}"#
        );
        assert_eq!(ApiResponse::text_fields(200, &[]).body, "{}");
    }
}
