//! One file per endpoint: parse the request into domain input, call the use case, shape the
//! answer. Statuses of failures are chosen in `http/error.rs`, not here.

pub mod activate;
pub mod create_license;
pub mod deactivate;
pub mod health;
pub mod license;
pub mod licenses;
pub mod renew;
pub mod validate;
