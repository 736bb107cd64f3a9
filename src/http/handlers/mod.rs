//! One file per endpoint: parse the request into domain input, call the use case, shape the
//! answer. Statuses of failures are chosen in `http/error.rs`, not here.

pub mod activate;
pub mod clients;
pub mod create_license;
pub mod create_project;
pub mod deactivate;
pub mod health;
pub mod license;
mod license_token;
pub mod license_token_keys;
pub mod licenses;
pub mod openapi;
pub mod projects;
pub mod renew;
pub mod validate;
