//! One `wrangler dev` for the whole run: built, started on free ports with a fresh local D1
//! and a random secret, and stopped (its whole process group) when the run ends.

use std::fs::{self, File};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::SECRET_LEN;

/// The running worker, as tests see it.
pub struct Worker {
    pub base_url: String,
    pub secret: String,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub path_env: String,
    run_dir: PathBuf,
    child: Mutex<Option<Child>>,
}

static WORKER: OnceLock<Worker> = OnceLock::new();

/// Worker startup includes a cold wasm build on a fresh machine.
const READY_TIMEOUT: Duration = Duration::from_secs(20 * 60);

pub fn worker() -> &'static Worker {
    WORKER
        .get()
        .expect("the worker is started before the tests run")
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
        .env("WRANGLER_SEND_METRICS", "false");
    command
}

pub fn start_worker() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run_dir = root
        .join("target")
        .join("api-tests")
        .join(std::process::id().to_string());
    let state_dir = run_dir.join("state");
    fs::create_dir_all(&state_dir).map_err(|e| format!("create {}: {e}", state_dir.display()))?;
    let path_env = format!(
        "{}:{}",
        root.join("node_modules/.bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let secret = random_hex(SECRET_LEN);
    let env_file = run_dir.join("test.env");
    fs::write(&env_file, format!("JWT_SECRET={secret}\n")).map_err(|e| e.to_string())?;

    let migrate = npx(&root, &path_env)
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

    let port = free_port();
    let log_path = run_dir.join("wrangler.log");
    let log = File::create(&log_path).map_err(|e| e.to_string())?;
    let child = npx(&root, &path_env)
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
    let worker = Worker {
        base_url: format!("http://127.0.0.1:{port}"),
        secret,
        root,
        state_dir,
        path_env,
        run_dir,
        child: Mutex::new(Some(child)),
    };
    let worker = WORKER.get_or_init(|| worker);
    eprintln!(
        "waiting for wrangler dev on {} (log: {})",
        worker.base_url,
        log_path.display()
    );
    worker.wait_ready(&log_path)
}

impl Worker {
    /// Ready once it answers HTTP; fails early if wrangler exits.
    fn wait_ready(&self, log_path: &Path) -> Result<(), String> {
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
                    eprintln!("worker ready after {:.1?}", started.elapsed());
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

/// Stops the worker, keeping its files for a look when the run failed.
pub fn stop_worker(failed: bool) {
    if let Some(worker) = WORKER.get() {
        worker.stop(failed || std::env::var_os("KEEP_TEST_STATE").is_some());
    }
}

fn tail(path: &Path) -> String {
    let mut text = String::new();
    let _ = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
