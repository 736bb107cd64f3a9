use std::time::Duration;

use serde_json::Value;

use super::{worker, Worker};

/// An HTTP answer: status, headers (lowercased names) and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics (failing the test) when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    /// Asserts the status and that the body is exactly `{"message": message}`.
    pub fn assert_message(&self, status: u16, message: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.json(),
            serde_json::json!({ "message": message }),
            "status {status}"
        );
        assert!(self
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/json"));
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build()
}

/// Sends any request to the main worker; 4xx and 5xx are replies, not errors.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Reply {
    request_to(worker(), method, path, headers, body)
}

/// Sends any request to `target`; 4xx and 5xx are replies, not errors.
pub fn request_to(
    target: &Worker,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Reply {
    let mut req = agent().request(method, &format!("{}{path}", target.base_url));
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let result = match body {
        Some(body) => req.send_bytes(body),
        None => req.call(),
    };
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("{method} {path}: transport error: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|name| {
            let value = response.header(&name).unwrap_or_default().to_owned();
            (name.to_ascii_lowercase(), value)
        })
        .collect();
    let body = response.into_string().expect("readable body");
    let reply = Reply {
        status,
        headers,
        body,
    };
    // The one place replies are built: every one is held to the OpenAPI document.
    super::openapi::check(method, path, &reply);
    reply
}

/// `POST /license/create` with a JSON body and, when given, a bearer token.
pub fn post_create(token: Option<&str>, body: &str) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    request("POST", "/license/create", &headers, Some(body.as_bytes()))
}
