//! Failures injected into the inserts of one project, so parallel tests never see each
//! other's faults.

use std::time::Duration;

use serde_json::Value;

use super::protocol::{duplicate, Answer};
use super::State;

/// How long a [`Fault::SlowAnswer`] waits: longer than the worker's 5 s timeout.
pub const SLOW_ANSWER: Duration = Duration::from_secs(8);

/// A failure to inject into the next inserts of one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 with a Data API error body.
    ServerError,
    /// Answers only after [`SLOW_ANSWER`], storing nothing (a gateway that never got through).
    SlowAnswer,
    /// 200 with a truncated, non-JSON body; stores nothing.
    MalformedJson,
    /// The `E11000` duplicate-key error, as if the drawn key already existed; stores nothing.
    DuplicateKey,
    /// 401 `InvalidSession`, as for a revoked API key.
    Unauthorized,
}

pub(super) struct FaultRule {
    pub project: String,
    pub fault: Fault,
    /// `None`: until cleared.
    pub remaining: Option<usize>,
}

/// The fault the next insert of `project` meets, if any (counting it down).
pub(super) fn take_fault(state: &mut State, project: &str) -> Option<Fault> {
    let rule = state.faults.iter_mut().find(|r| r.project == project)?;
    let fault = rule.fault;
    if let Some(n) = rule.remaining.as_mut() {
        *n = n.saturating_sub(1);
    }
    state.faults.retain(|r| r.remaining != Some(0));
    Some(fault)
}

/// What the double answers, instead of storing `document`, under `fault`.
pub(super) fn faulted(fault: Fault, namespace: &str, document: &Value) -> Answer {
    match fault {
        Fault::ServerError => Answer::error(
            500,
            "InternalServerError",
            "Failed to insert document: storage failure forced by the test (protocol double fault)",
        ),
        Fault::SlowAnswer => Answer {
            delay: Some(SLOW_ANSWER),
            ..Answer::error(
                500,
                "InternalServerError",
                "answered too late (fault injected by the protocol double)",
            )
        },
        Fault::MalformedJson => Answer {
            status: 200,
            body: r#"{"insertedId": {"$oid": "#.into(),
            delay: None,
        },
        Fault::DuplicateKey => duplicate(
            namespace,
            "key_1",
            "key",
            document.get("key").unwrap_or(&Value::Null),
        ),
        Fault::Unauthorized => Answer::error(
            401,
            "InvalidSession",
            "invalid session: error finding user for endpoint",
        ),
    }
}
