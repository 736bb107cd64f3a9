//! One `wrangler dev` process: started in a process group of its own on free ports, with its
//! own state directory and env file, awaited until it answers, and stopped with its workerd.

use std::fs::{self, File};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::Backend;

/// Worker startup includes a cold wasm build on a fresh machine.
const READY_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// A running worker, as tests see it.
pub struct Worker {
    pub backend: Backend,
    pub base_url: String,
    pub secret: String,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub path_env: String,
    pub(super) run_dir: PathBuf,
    child: Mutex<Option<Child>>,
}

/// A port for wrangler to listen on (it must bind the number itself, so the probe's socket is
/// closed before wrangler starts). Taken below Linux's ephemeral range (32768-60999), from a
/// counter: a port the kernel hands out meanwhile to another socket (workerd's own, another
/// worker's wrangler) never comes from there, and no port is handed out twice in a run. The
/// start depends on the process id, so that two runs at once rarely probe the same ports.
fn free_port() -> u16 {
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(61) % COUNT;
    for _ in 0..COUNT {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % COUNT;
        let port = (FIRST + offset) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {FIRST} and {}", FIRST + COUNT)
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

/// Starts `wrangler dev` for a worker named `name` (its directory under `run_root`) with
/// `settings` and `secret` in its env file, and `config` instead of the project's wrangler.toml
/// when given; every D1 worker (the backend's, the JWKS one, a scratch one) gets its own
/// migrated database first.
#[allow(clippy::too_many_arguments)]
pub(super) fn start_one(
    backend: Backend,
    name: &str,
    settings: &str,
    root: &Path,
    run_root: &Path,
    path_env: &str,
    secret: &str,
    config: Option<&Path>,
) -> Result<Worker, String> {
    let config_args: Vec<&std::ffi::OsStr> = match config {
        Some(path) => vec!["--config".as_ref(), path.as_os_str()],
        None => Vec::new(),
    };
    let run_dir = run_root.join(name);
    let state_dir = run_dir.join("state");
    fs::create_dir_all(&state_dir).map_err(|e| format!("create {}: {e}", state_dir.display()))?;
    let env_file = run_dir.join("test.env");
    fs::write(&env_file, format!("JWT_SECRET={secret}\n{settings}")).map_err(|e| e.to_string())?;

    if backend == Backend::D1 {
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
            .args(&config_args)
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
            // `GET /__scheduled?cron=…` runs the Cron Trigger (the expiry sweep tests).
            "--test-scheduled",
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
        .args(&config_args)
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
    pub(super) fn wait_ready(&self) -> Result<(), String> {
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
    pub(super) fn stop(&self, keep_files: bool) {
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

fn tail(path: &Path) -> String {
    let mut text = String::new();
    let _ = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
