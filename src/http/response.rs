use serde::Serialize;

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

    pub fn json(status: u16, body: &impl Serialize) -> Self {
        Self {
            status,
            headers: Vec::new(),
            // Serialising our own plain structs cannot fail; the fallback keeps that a non-panic.
            body: serde_json::to_string(body).unwrap_or_else(|_| "{}".into()),
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
