//! One `wrangler dev` per storage backend for the whole run: started on free ports with a fresh
//! local D1 (or pointed at the Data API protocol double) and a random secret, and stopped (its
//! whole process group) when the run ends.

use std::fs::{self, File};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::data_api_double::DataApiDouble;
use super::{backend, Backend, SECRET_LEN};

/// A running worker, as tests see it.
pub struct Worker {
    pub backend: Backend,
    pub base_url: String,
    pub secret: String,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub path_env: String,
    run_dir: PathBuf,
    child: Mutex<Option<Child>>,
}

static WORKERS: OnceLock<Vec<Worker>> = OnceLock::new();
static DATA_API: OnceLock<DataApiDouble> = OnceLock::new();
static JWKS_WORKER: OnceLock<Worker> = OnceLock::new();

/// Worker startup includes a cold wasm build on a fresh machine.
const READY_TIMEOUT: Duration = Duration::from_secs(20 * 60);

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

/// Settings every backend worker has besides storage: `JWT_PUBLIC_KEY` (a JWKS of every
/// asymmetric test key, next to the HS256 `JWT_SECRET`), the issuer and audience that public
/// keys require, and `CORS_ORIGINS`.
fn auth_settings() -> String {
    env_lines(&[
        ("JWT_PUBLIC_KEY", super::keys::public_jwks().to_string()),
        ("JWT_ISSUER", super::ISSUER.into()),
        ("JWT_AUDIENCE", super::AUDIENCE.into()),
        ("CORS_ORIGINS", super::ALLOWED_ORIGIN.into()),
    ])
}

/// Settings of the JWKS-mode worker.
fn jwks_settings(jwks_url: &str) -> String {
    env_lines(&[
        ("JWT_JWKS_URL", jwks_url.into()),
        (
            "JWT_JWKS_REFETCH_SECONDS",
            super::JWKS_REFETCH_SECONDS.to_string(),
        ),
        ("JWT_ISSUER", super::ISSUER.into()),
        ("JWT_AUDIENCE", super::AUDIENCE.into()),
        ("JWT_ALGORITHM", "HS512".into()),
    ])
}

/// `KEY='value'` lines: single quotes keep a value (JSON included) verbatim for dotenv.
fn env_lines(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}='{value}'\n"))
        .collect()
}

/// The Data API protocol double the `mongodb` worker stores into.
pub fn data_api() -> &'static DataApiDouble {
    DATA_API
        .get()
        .expect("the Data API double is started with the mongodb worker")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).expect("OS randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn npx(root: &Path, path_env: &str) -> Command {
    let mut command = Command::new("npx");
    command
        .current_dir(root)
        .env("PATH", path_env)
        .env("WRANGLER_SEND_METRICS", "false")
        // Built once by `build_once`: wrangler's [build] must not rewrite build/ under the
        // other workers (scripts/build.sh honours this).
        .env("KEYBOX_PREBUILT", "1");
    command
}

/// Builds the worker once for every `wrangler dev` of the run (quick when up to date).
fn build_once(root: &Path, path_env: &str) -> Result<(), String> {
    let output = Command::new("bash")
        .arg("scripts/build.sh")
        .current_dir(root)
        .env("PATH", path_env)
        .output()
        .map_err(|e| format!("run scripts/build.sh: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "scripts/build.sh failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Starts one worker per backend in `backends` (the Data API double first, for `mongodb`),
/// and, with `jwks`, the JWKS server and a worker in JWKS mode; all share one random JWT
/// secret. Waits until each answers.
pub fn start_workers(backends: &[Backend], jwks: bool) -> Result<(), String> {
    let (root, run_root, path_env) = paths();
    build_once(&root, &path_env)?;
    let secret = random_hex(SECRET_LEN);
    if jwks {
        let url = super::jwks_server::start()?;
        let worker = start_one(
            Backend::D1,
            "jwks",
            &jwks_settings(&url),
            &root,
            &run_root,
            &path_env,
            &secret,
        )?;
        let worker = JWKS_WORKER.get_or_init(|| worker);
        worker.wait_ready()?;
    }
    let mut workers = Vec::new();
    for &backend in backends {
        let settings = format!("{}{}", auth_settings(), backend_settings(backend)?);
        let started = start_one(
            backend,
            backend.name(),
            &settings,
            &root,
            &run_root,
            &path_env,
            &secret,
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

/// The extra settings of a backend's worker (its `--env-file` lines).
fn backend_settings(backend: Backend) -> Result<String, String> {
    match backend {
        // STORAGE left unset: D1 is the default.
        Backend::D1 => Ok(String::new()),
        Backend::Mongo => {
            let double = match DATA_API.get() {
                Some(double) => double,
                None => {
                    let started = DataApiDouble::start(random_hex(24))
                        .map_err(|e| format!("start the Data API double: {e}"))?;
                    DATA_API.get_or_init(|| started)
                }
            };
            Ok(format!(
                "STORAGE=mongodb\nMONGODB_DATA_API_URL={}\nMONGODB_API_KEY={}\nMONGODB_DATA_SOURCE={}\nMONGODB_DATABASE={}\n",
                double.base_url, double.api_key, double.data_source, double.database
            ))
        }
    }
}

/// The crate root, this run's directory under `target/api-tests/`, and a PATH with Node 22.
fn paths() -> (PathBuf, PathBuf, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run_root = root
        .join("target")
        .join("api-tests")
        .join(std::process::id().to_string());
    let path_env = format!(
        "{}:{}",
        root.join("node_modules/.bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (root, run_root, path_env)
}

/// A worker started by one test with settings of its own (e.g. a misconfiguration), stopped
/// when dropped.
pub struct ScratchWorker(Worker);

impl ScratchWorker {
    pub fn base_url(&self) -> &str {
        &self.0.base_url
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
    let (root, run_root, path_env) = paths();
    let current = worker();
    let scratch = ScratchWorker(start_one(
        current.backend,
        name,
        settings,
        &root,
        &run_root,
        &path_env,
        &current.secret,
    )?);
    if let Err(e) = scratch.0.wait_ready() {
        scratch.0.stop(true);
        return Err(e);
    }
    Ok(scratch)
}

fn start_one(
    backend: Backend,
    name: &str,
    settings: &str,
    root: &Path,
    run_root: &Path,
    path_env: &str,
    secret: &str,
) -> Result<Worker, String> {
    let run_dir = run_root.join(name);
    let state_dir = run_dir.join("state");
    fs::create_dir_all(&state_dir).map_err(|e| format!("create {}: {e}", state_dir.display()))?;
    let env_file = run_dir.join("test.env");
    fs::write(&env_file, format!("JWT_SECRET={secret}\n{settings}")).map_err(|e| e.to_string())?;

    if backend == Backend::D1 && (name == backend.name() || name == "jwks") {
        let migrate = npx(root, path_env)
            .args([
                "wrangler",
                "d1",
                "migrations",
                "apply",
                "DB",
                "--local",
                "--persist-to",
            ])
            .arg(&state_dir)
            .output()
            .map_err(|e| format!("run wrangler: {e} (run `npm ci` first)"))?;
        if !migrate.status.success() {
            return Err(format!(
                "migrations failed: {}",
                String::from_utf8_lossy(&migrate.stderr)
            ));
        }
    }

    let port = free_port();
    let log_path = run_dir.join("wrangler.log");
    let log = File::create(&log_path).map_err(|e| e.to_string())?;
    let child = npx(root, path_env)
        .args([
            "wrangler",
            "dev",
            "--ip",
            "127.0.0.1",
            "--show-interactive-dev-session=false",
        ])
        .args([
            "--port",
            &port.to_string(),
            "--inspector-port",
            &free_port().to_string(),
        ])
        .arg("--persist-to")
        .arg(&state_dir)
        .arg("--env-file")
        .arg(&env_file)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("spawn wrangler dev: {e}"))?;
    Ok(Worker {
        backend,
        base_url: format!("http://127.0.0.1:{port}"),
        secret: secret.to_owned(),
        root: root.to_owned(),
        state_dir,
        path_env: path_env.to_owned(),
        run_dir,
        child: Mutex::new(Some(child)),
    })
}

impl Worker {
    /// What wrangler and the worker printed so far (`console_error!` lines included).
    pub fn log(&self) -> String {
        fs::read_to_string(self.run_dir.join("wrangler.log")).unwrap_or_default()
    }

    /// Ready once it answers HTTP; fails early if wrangler exits.
    fn wait_ready(&self) -> Result<(), String> {
        let log_path = &self.run_dir.join("wrangler.log");
        eprintln!(
            "waiting for the {} worker on {} (log: {})",
            self.run_dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            self.base_url,
            log_path.display()
        );
        let started = Instant::now();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(5))
            .build();
        while started.elapsed() < READY_TIMEOUT {
            if let Some(status) = self
                .child
                .lock()
                .unwrap()
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!(
                    "wrangler dev exited ({status}):\n{}",
                    tail(log_path)
                ));
            }
            match agent.get(&format!("{}/", self.base_url)).call() {
                Ok(_) | Err(ureq::Error::Status(..)) => {
                    eprintln!(
                        "{} worker ready after {:.1?}",
                        self.run_dir
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy(),
                        started.elapsed()
                    );
                    return Ok(());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(500)),
            }
        }
        Err(format!(
            "wrangler dev not ready after {READY_TIMEOUT:?}:\n{}",
            tail(log_path)
        ))
    }

    /// Stops wrangler and workerd (the whole process group); the run's files (D1, log) are
    /// kept when `keep_files`.
    fn stop(&self, keep_files: bool) {
        let Some(mut child) = self.child.lock().unwrap().take() else {
            return;
        };
        let group = format!("-{}", child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && child.try_wait().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = child.wait();
        if keep_files {
            eprintln!("worker files kept in {}", self.run_dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.run_dir);
        }
    }
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

fn tail(path: &Path) -> String {
    let mut text = String::new();
    let _ = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
