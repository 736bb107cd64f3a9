//! One `wrangler dev` per storage backend for the whole run: started on free ports with a fresh
//! local D1 (or pointed at the Data API protocol double) and a random secret, and stopped (its
//! whole process group) when the run ends.
//!
//! `setup` finds the paths and builds the wasm once, `process` runs one `wrangler dev`, and
//! `settings` writes each worker's env file lines.

mod process;
mod settings;
mod setup;

use std::fs;
use std::sync::OnceLock;

use process::start_one;
pub use process::Worker;

use super::data_api_double::DataApiDouble;
use super::{backend, Backend, SECRET_LEN};
// settings.rs names these `super::…`, as it did when it was part of worker.rs.
use super::{keys, ALLOWED_ORIGIN, AUDIENCE, ISSUER, JWKS_REFETCH_SECONDS};

static WORKERS: OnceLock<Vec<Worker>> = OnceLock::new();
static DATA_API: OnceLock<DataApiDouble> = OnceLock::new();
static JWKS_WORKER: OnceLock<Worker> = OnceLock::new();

/// The worker of the backend the current test runs against.
pub fn worker() -> &'static Worker {
    let backend = backend();
    WORKERS
        .get()
        .expect("the workers are started before the tests run")
        .iter()
        .find(|w| w.backend == backend)
        .unwrap_or_else(|| panic!("no worker was started for {}", backend.name()))
}

/// The worker in JWKS mode (`JWT_JWKS_URL` on the suite's JWKS server, issuer and audience
/// required, HS512 secret), storing in D1.
pub fn jwks_worker() -> &'static Worker {
    JWKS_WORKER
        .get()
        .expect("the JWKS-mode worker is started when JWKS tests run")
}

/// The Data API protocol double the `mongodb` worker stores into.
pub fn data_api() -> &'static DataApiDouble {
    DATA_API
        .get()
        .expect("the Data API double is started with the mongodb worker")
}

/// The Data API double, started on first use.
fn start_data_api() -> Result<&'static DataApiDouble, String> {
    if let Some(double) = DATA_API.get() {
        return Ok(double);
    }
    let started = DataApiDouble::start(random_hex(24))
        .map_err(|e| format!("start the Data API double: {e}"))?;
    Ok(DATA_API.get_or_init(|| started))
}

fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).expect("OS randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts one worker per backend in `backends` (the Data API double first, for `mongodb`),
/// and, with `jwks`, the JWKS server and a worker in JWKS mode; all share one random JWT
/// secret. Waits until each answers.
pub fn start_workers(backends: &[Backend], jwks: bool) -> Result<(), String> {
    let (root, run_root, path_env) = setup::paths();
    setup::build_once(&root, &path_env)?;
    let secret = random_hex(SECRET_LEN);
    if jwks {
        let url = super::jwks_server::start()?;
        let worker = start_one(
            Backend::D1,
            "jwks",
            &settings::for_jwks_mode(&url),
            &root,
            &run_root,
            &path_env,
            &secret,
            None,
        )?;
        let worker = JWKS_WORKER.get_or_init(|| worker);
        worker.wait_ready()?;
    }
    let mut workers = Vec::new();
    for &backend in backends {
        let settings = settings::for_backend(backend)?;
        let started = start_one(
            backend,
            backend.name(),
            &settings,
            &root,
            &run_root,
            &path_env,
            &secret,
            None,
        );
        match started {
            Ok(worker) => workers.push(worker),
            Err(e) => {
                workers.iter().for_each(|w| w.stop(true));
                return Err(e);
            }
        }
    }
    let workers = WORKERS.get_or_init(|| workers);
    for worker in workers {
        worker.wait_ready()?;
    }
    Ok(())
}

/// A worker started by one test with settings of its own (e.g. a misconfiguration), stopped
/// when dropped.
pub struct ScratchWorker(Worker);

impl ScratchWorker {
    pub fn base_url(&self) -> &str {
        &self.0.base_url
    }

    /// The worker, for `request_to`.
    pub fn worker(&self) -> &Worker {
        &self.0
    }
}

impl Drop for ScratchWorker {
    fn drop(&mut self) {
        self.0.stop(std::thread::panicking());
    }
}

/// Starts a worker named `name` (its directory) with `settings` as its env file lines besides
/// the run's JWT secret, and waits until it answers.
pub fn start_scratch_worker(name: &str, settings: &str) -> Result<ScratchWorker, String> {
    let (root, run_root, path_env) = setup::paths();
    let current = worker();
    let scratch = ScratchWorker(start_one(
        current.backend,
        name,
        settings,
        &root,
        &run_root,
        &path_env,
        &current.secret,
        None,
    )?);
    if let Err(e) = scratch.0.wait_ready() {
        scratch.0.stop(true);
        return Err(e);
    }
    Ok(scratch)
}

/// The storage settings of the current backend's worker (for a scratch worker that should
/// read the same MongoDB; a D1 scratch worker has a database of its own).
pub fn storage_settings() -> Result<String, String> {
    settings::backend_settings(backend())
}

/// Like [`start_scratch_worker`], with the project's wrangler.toml changed by `edit` (e.g.
/// smaller rate limits): the copy is written to the worker's directory, with the paths it
/// names made absolute and without `[build]` (the wasm is built once per run).
pub fn start_scratch_worker_with_config(
    name: &str,
    settings: &str,
    edit: impl FnOnce(String) -> String,
) -> Result<ScratchWorker, String> {
    let (root, run_root, path_env) = setup::paths();
    let current = worker();
    let original = fs::read_to_string(root.join("wrangler.toml")).map_err(|e| e.to_string())?;
    let mut config = edit(original);
    for (from, to) in [
        (
            "[build]\ncommand = \"bash scripts/build.sh\"\n",
            String::new(),
        ),
        (
            "main = \"build/index.js\"",
            format!("main = \"{}\"", root.join("build/index.js").display()),
        ),
        (
            "migrations_dir = \"migrations\"",
            format!("migrations_dir = \"{}\"", root.join("migrations").display()),
        ),
    ] {
        if !config.contains(from) {
            return Err(format!("wrangler.toml no longer has {from:?}"));
        }
        config = config.replace(from, &to);
    }
    let dir = run_root.join(name);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("wrangler.toml");
    fs::write(&path, config).map_err(|e| e.to_string())?;
    let scratch = ScratchWorker(start_one(
        current.backend,
        name,
        settings,
        &root,
        &run_root,
        &path_env,
        &current.secret,
        Some(&path),
    )?);
    if let Err(e) = scratch.0.wait_ready() {
        scratch.0.stop(true);
        return Err(e);
    }
    Ok(scratch)
}

/// Stops every worker, keeping their files for a look when the run failed.
pub fn stop_workers(failed: bool) {
    let keep = failed || std::env::var_os("KEEP_TEST_STATE").is_some();
    for worker in WORKERS.get().into_iter().flatten().chain(JWKS_WORKER.get()) {
        worker.stop(keep);
        // The run's directory (one per test process) goes once its backends' are gone.
        if let Some(run_root) = worker.run_dir.parent() {
            let _ = fs::remove_dir(run_root);
        }
    }
}
