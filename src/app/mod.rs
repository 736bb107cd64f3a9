//! Use cases: what the API does, one module each, free of HTTP. Each is generic over the store
//! traits and the random source and takes "now" as an input, so it is tested natively with
//! `storage::MemoryStore` and a fixed clock. Each returns a domain outcome or an [`AppError`];
//! `http` decides what those look like on the wire.

mod activate;
mod change_status;
mod clients;
mod create_license;
mod create_project;
mod deactivate;
mod error;
mod list_licenses;
mod projects;
mod renew;
mod sweep;
mod validate;

pub use activate::{activate, Activation};
pub use change_status::{change_status, StatusChange};
pub use clients::{create_client, delete_client, get_client, list_clients, update_client};
pub use create_license::{create_license, CreateLicense, Created};
pub use create_project::create_project_with_license;
pub use deactivate::deactivate;
pub use error::AppError;
pub use list_licenses::list_licenses;
pub use projects::{create_project, delete_project, get_project, list_projects, update_project};
pub use renew::renew;
pub use sweep::{sweep_expired, Sweep, SWEEP_BATCH, SWEEP_MAX_BATCHES};
pub use validate::{validate, Validation};

use chrono::{DateTime, Utc};

use crate::domain::ObjectIdGenerator;

/// What every use case runs with: storage, id and key generation, and the clock.
pub struct Deps<'a, S, R> {
    pub store: &'a S,
    pub ids: &'a ObjectIdGenerator,
    pub random: R,
    pub now: DateTime<Utc>,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod testing;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
