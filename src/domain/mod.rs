//! The license domain: pure types and rules, free of `worker::` so they are unit-tested natively.

pub mod base64url;
mod call;
mod client;
mod duration;
mod expiry;
pub mod fields;
mod idempotency;
pub mod json_text;
mod key;
mod license;
mod listing;
mod object_id;
mod page;
mod project;
mod random;
mod renewal;
mod request;
mod seat;
mod service;
mod text;
mod verdict;

pub use call::{parse_renewal, parse_seat, LicenseCall};
pub use client::{to_millis, Client, ClientChanges, NewClient};
pub use duration::Duration;
pub use expiry::{add_months, format_timestamp};
pub use idempotency::{
    Fingerprint, IdempotencyKey, IdempotencyTag, IdempotentLicense, InvalidIdempotencyKey,
    IDEMPOTENCY_TTL_HOURS,
};
pub use key::{LicenseKey, KEY_ALPHABET};
pub use license::{License, LicenseStatus, UserId};
pub use listing::LicenseFilter;
pub use object_id::{InvalidObjectId, ObjectId, ObjectIdGenerator};
pub use page::{Cursor, Page, PageRequest, DEFAULT_LIMIT, MAX_LIMIT};
pub use project::{CreateProjectRequest, NewProject, Project, ProjectChanges};
pub use random::{EntropyUnavailable, OsRandom, RandomSource};
pub use renewal::{renewed_expiry, renewed_status};
pub use request::{CreateLicenseRequest, RequestError, MAX_BODY_BYTES};
pub use seat::{MaxMachines, Seat, SeatName, SeatRef};
pub use service::{Service, Services};
pub use text::{Email, Name, NameProblem};
pub use verdict::{
    check_activation, has_expired, is_due_to_expire, verdict, ActivationCheck, Verdict,
};
