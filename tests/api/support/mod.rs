//! Test support: the storage backends, their worker processes, the Data API protocol double,
//! an HTTP client, tokens, and backend-neutral looks at what was stored.

mod client;
mod d1;
pub mod data_api_double;
pub mod jwks_server;
pub mod keys;
mod license_keys;
pub mod licenses;
pub mod openapi;
mod owned;
mod tokens;
mod worker;

use std::cell::Cell;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;

pub use client::{post_create, request, request_to, Reply};
pub use d1::d1_execute;
pub use license_keys::{license_signing_keys, license_signing_setting};
pub use owned::{call, call_on, client_of, new_client, new_project, new_project_on};
pub use tokens::{hmac_token, sign_token, token, token_with_claims, SECRET_LEN};
pub use worker::{
    data_api, jwks_worker, start_scratch_worker, start_scratch_worker_with_config, start_workers,
    stop_workers, storage_settings, worker, Worker,
};

/// The origin the backend workers' `CORS_ORIGINS` allows.
pub const ALLOWED_ORIGIN: &str = "https://app.keybox.test";
/// `JWT_ISSUER` and `JWT_AUDIENCE` of every worker: a deployment with public keys must pin
/// both, and the tokens' builders (`tokens.rs`) add them.
pub const ISSUER: &str = "https://issuer.keybox.test/";
pub const AUDIENCE: &str = "keybox-api";
/// The JWKS-mode worker's `JWT_JWKS_REFETCH_SECONDS` (30 in production; short here so that a
/// rotation test does not wait half a minute).
pub const JWKS_REFETCH_SECONDS: u64 = 2;

/// A storage backend the suite runs against; each has its own worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `STORAGE` unset (the default): Cloudflare D1.
    D1,
    /// `STORAGE = "mongodb"`, pointed at the Data API protocol double.
    Mongo,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::D1, Backend::Mongo];

    /// The `STORAGE` value, also the first segment of every trial's name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::D1 => "d1",
            Backend::Mongo => "mongodb",
        }
    }
}

thread_local! {
    static BACKEND: Cell<Option<Backend>> = const { Cell::new(None) };
}

/// The backend the current test runs against.
pub fn backend() -> Backend {
    BACKEND
        .get()
        .expect("a test runs inside a backend's trial (or a support::spawn thread)")
}

/// Runs `test` against `backend`.
pub fn with_backend<T>(backend: Backend, test: impl FnOnce() -> T) -> T {
    let previous = BACKEND.replace(Some(backend));
    let result = test();
    BACKEND.set(previous);
    result
}

/// `std::thread::spawn` for tests: the new thread talks to the same backend.
pub fn spawn<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    let current = backend();
    std::thread::spawn(move || with_backend(current, f))
}

/// Tests share the workers and run in parallel. A test that changes the D1 schema (a trigger
/// that forces failures) takes this lock exclusively: SQLite allows one writer, so a schema
/// change from outside would make other tests' inserts fail with "database is locked".
pub static SCHEMA: RwLock<()> = RwLock::new(());

/// Whether a trial may run beside others or must run alone (see [`SCHEMA`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    Shared,
    Alone,
}

/// One trial per test and backend, named `backend::module::function`.
pub fn trials_for(
    backends: &[Backend],
    sharing: Sharing,
    module: &str,
    tests: &[(&'static str, fn())],
) -> Vec<libtest_mimic::Trial> {
    let module = module.rsplit("::").next().unwrap_or_default();
    backends
        .iter()
        .flat_map(|&backend| {
            tests.iter().map(move |&(name, test)| {
                libtest_mimic::Trial::test(
                    format!("{}::{module}::{name}", backend.name()),
                    move || {
                        let _guard = match sharing {
                            Sharing::Shared => {
                                Guard::Read(SCHEMA.read().unwrap_or_else(|e| e.into_inner()))
                            }
                            Sharing::Alone => {
                                Guard::Write(SCHEMA.write().unwrap_or_else(|e| e.into_inner()))
                            }
                        };
                        with_backend(backend, test);
                        Ok(())
                    },
                )
            })
        })
        .collect()
}

/// Holds [`SCHEMA`] for the length of a trial.
#[allow(dead_code)] // held for its Drop
enum Guard<'a> {
    Read(RwLockReadGuard<'a, ()>),
    Write(RwLockWriteGuard<'a, ()>),
}

/// Builds trials from test functions, each run against every backend.
#[macro_export]
macro_rules! trials {
    ($($test:ident),* $(,)?) => {
        $crate::support::trials_for(
            &$crate::support::Backend::ALL,
            $crate::support::Sharing::Shared,
            module_path!(),
            &[$((stringify!($test), $test as fn())),*],
        )
    };
}

/// Like [`trials!`], for tests that change the storage's schema or faults: each runs alone.
#[macro_export]
macro_rules! exclusive_trials {
    ($($test:ident),* $(,)?) => {
        $crate::support::trials_for(
            &$crate::support::Backend::ALL,
            $crate::support::Sharing::Alone,
            module_path!(),
            &[$((stringify!($test), $test as fn())),*],
        )
    };
}

/// Builds trials that run once, not per backend (named `d1::…`: the storage they use is the
/// default D1), e.g. the JWKS-mode worker's ordered scenario.
#[macro_export]
macro_rules! single_trials {
    ($($test:ident),* $(,)?) => {
        $crate::support::trials_for(
            &[$crate::support::Backend::D1],
            $crate::support::Sharing::Shared,
            module_path!(),
            &[$((stringify!($test), $test as fn())),*],
        )
    };
}

/// Builds trials from test functions that only concern the MongoDB backend.
#[macro_export]
macro_rules! mongodb_trials {
    ($($test:ident),* $(,)?) => {
        $crate::support::trials_for(
            &[$crate::support::Backend::Mongo],
            $crate::support::Sharing::Shared,
            module_path!(),
            &[$((stringify!($test), $test as fn())),*],
        )
    };
}

/// A fresh random ObjectId (24 lowercase hex digits), so each test owns its rows.
pub fn random_object_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).expect("OS randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A valid create body for `project`, naming its client (see [`client_of`]).
pub fn create_body(project: &str) -> String {
    let client = client_of(project);
    format!(
        r#"{{"duration":12,"clientId":"{client}","projectId":"{project}","services":["Hosting","Domain"]}}"#
    )
}

/// How many licenses the current backend holds for `project`.
pub fn count_licenses(project: &str) -> u64 {
    stored_licenses(project).len() as u64
}

/// The licenses the current backend stores for `project`, each in the API's JSON shape
/// (`key`, `duration`, `issuedAt`, …, `_id`), so a test can compare them with a response.
pub fn stored_licenses(project: &str) -> Vec<Value> {
    match backend() {
        Backend::D1 => d1::stored_licenses(project),
        Backend::Mongo => data_api()
            .documents_of_project(project)
            .iter()
            .map(|document| {
                // The contract's fields only: seats and their limit are the lifecycle's.
                let mut license = data_api_double::plain_json(document);
                if let Some(fields) = license.as_object_mut() {
                    fields.remove("maxMachines");
                    fields.remove("seats");
                }
                license
            })
            .collect(),
    }
}

/// Makes every insert of `project` fail in the current backend, with a real storage failure
/// (a D1 trigger, or the Data API double's 5xx fault), until [`FailingInserts::recover`].
pub struct FailingInserts {
    project: String,
    backend: Backend,
}

pub fn fail_inserts_of(project: &str) -> FailingInserts {
    let backend = backend();
    match backend {
        Backend::D1 => {
            d1_execute(&format!(
                "CREATE TRIGGER fail_{project} BEFORE INSERT ON licenses WHEN NEW.project_id = '{project}' \
                 BEGIN SELECT RAISE(ABORT, 'storage failure forced by the test'); END"
            ));
        }
        Backend::Mongo => {
            data_api().inject(project, data_api_double::Fault::ServerError, None);
        }
    }
    FailingInserts {
        project: project.to_owned(),
        backend,
    }
}

impl FailingInserts {
    /// Lets inserts of the project succeed again.
    pub fn recover(self) {
        match self.backend {
            Backend::D1 => {
                d1_execute(&format!("DROP TRIGGER fail_{}", self.project));
            }
            Backend::Mongo => data_api().clear_faults(&self.project),
        }
    }
}
