//! The workers of a run, each a `wrangler dev` on free ports with its own fresh local D1 and
//! env file: the main one (HS256 secret, public keys, CORS) and one in JWKS mode pointed at
//! the suite's JWKS server. Each is stopped (its whole process group) when the run ends.
//!
//! Only the main worker runs wrangler's `[build]` command; the others get a generated
//! config without it, serving the same `build/` output, so that two builds never race.

use std::fs::{self, File};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::SECRET_LEN;

/// A running worker, as tests see it.
pub struct Worker {
    pub name: &'static str,
    pub base_url: String,
    pub secret: String,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub path_env: String,
    /// `--config` for wrangler commands (`None`: the project's `wrangler.toml`).
    pub config: Option<PathBuf>,
    run_dir: PathBuf,
    child: Mutex<Option<Child>>,
}

struct Workers {
    main: Worker,
    jwks: Worker,
}

static WORKERS: OnceLock<Workers> = OnceLock::new();

/// Worker startup includes a cold wasm build on a fresh machine.
const READY_TIMEOUT: Duration = Duration::from_secs(20 * 60);

fn workers() -> &'static Workers {
    WORKERS
        .get()
        .expect("the workers are started before the tests run")
}

/// The main worker: `JWT_SECRET` (HS256), `JWT_PUBLIC_KEY` (a JWKS of every asymmetric test
/// key), `CORS_ORIGINS`.
pub fn worker() -> &'static Worker {
    &workers().main
}

/// The worker in JWKS mode (`JWT_JWKS_URL` on the suite's JWKS server, issuer and audience
/// required, HS512 secret).
pub fn jwks_worker() -> &'static Worker {
    &workers().jwks
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

/// Settings of the main worker's env file (besides its random `JWT_SECRET`).
pub fn main_vars() -> Vec<(String, String)> {
    vec![
        (
            "JWT_PUBLIC_KEY".into(),
            super::keys::public_jwks().to_string(),
        ),
        ("CORS_ORIGINS".into(), super::ALLOWED_ORIGIN.into()),
    ]
}

/// Settings of the JWKS-mode worker.
pub fn jwks_vars(jwks_url: &str) -> Vec<(String, String)> {
    vec![
        ("JWT_JWKS_URL".into(), jwks_url.into()),
        (
            "JWT_JWKS_REFETCH_SECONDS".into(),
            super::JWKS_REFETCH_SECONDS.to_string(),
        ),
        ("JWT_ISSUER".into(), super::ISSUER.into()),
        ("JWT_AUDIENCE".into(), super::AUDIENCE.into()),
        ("JWT_ALGORITHM".into(), "HS512".into()),
    ]
}

/// Starts the JWKS server, then the main worker (which builds), then the JWKS-mode worker.
pub fn start_workers() -> Result<(), String> {
    let jwks_url = super::jwks_server::start()?;
    let main = Worker::spawn("main", &main_vars(), false)?;
    if let Err(e) = main.wait_ready() {
        main.stop(true);
        return Err(e);
    }
    let jwks = Worker::spawn("jwks", &jwks_vars(&jwks_url), true);
    let jwks = match jwks {
        Ok(jwks) => jwks,
        Err(e) => {
            main.stop(true);
            return Err(e);
        }
    };
    let ready = jwks.wait_ready();
    let _ = WORKERS.set(Workers { main, jwks });
    ready
}

/// `wrangler.toml` without its `[build]` section, paths made absolute.
fn config_without_build(root: &Path) -> Result<String, String> {
    let text = fs::read_to_string(root.join("wrangler.toml")).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let mut in_build = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_build = trimmed == "[build]";
        }
        if in_build {
            continue;
        }
        let absolute = |key: &str| -> Option<String> {
            let value = trimmed.strip_prefix(key)?.trim().strip_prefix('=')?.trim();
            let value = value.trim_matches('"');
            Some(format!("{key} = \"{}\"", root.join(value).display()))
        };
        match absolute("main").or_else(|| absolute("migrations_dir")) {
            Some(line) => out.push_str(&line),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out)
}

impl Worker {
    fn spawn(
        name: &'static str,
        vars: &[(String, String)],
        prebuilt: bool,
    ) -> Result<Worker, String> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let run_dir = root
            .join("target")
            .join("api-tests")
            .join(std::process::id().to_string())
            .join(name);
        let state_dir = run_dir.join("state");
        fs::create_dir_all(&state_dir)
            .map_err(|e| format!("create {}: {e}", state_dir.display()))?;
        let path_env = format!(
            "{}:{}",
            root.join("node_modules/.bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let secret = random_hex(SECRET_LEN);
        let mut env = format!("JWT_SECRET={secret}\n");
        for (key, value) in vars {
            // Single quotes: dotenv keeps the value (JSON included) verbatim.
            env.push_str(&format!("{key}='{value}'\n"));
        }
        let env_file = run_dir.join("test.env");
        fs::write(&env_file, env).map_err(|e| e.to_string())?;
        let config = if prebuilt {
            let path = run_dir.join("wrangler.toml");
            fs::write(&path, config_without_build(&root)?).map_err(|e| e.to_string())?;
            Some(path)
        } else {
            None
        };
        let config_args = |command: &mut Command| {
            if let Some(path) = &config {
                command.arg("--config").arg(path);
            }
        };

        let mut migrate = npx(&root, &path_env);
        migrate.args([
            "wrangler",
            "d1",
            "migrations",
            "apply",
            "DB",
            "--local",
            "--persist-to",
        ]);
        migrate.arg(&state_dir);
        config_args(&mut migrate);
        let migrate = migrate
            .output()
            .map_err(|e| format!("run wrangler: {e} (run `npm ci` first)"))?;
        if !migrate.status.success() {
            return Err(format!(
                "{name}: migrations failed: {}",
                String::from_utf8_lossy(&migrate.stderr)
            ));
        }

        let port = free_port();
        let log_path = run_dir.join("wrangler.log");
        let log = File::create(&log_path).map_err(|e| e.to_string())?;
        let mut dev = npx(&root, &path_env);
        dev.args([
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
        .arg(&env_file);
        config_args(&mut dev);
        let child = dev
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("spawn wrangler dev: {e}"))?;
        eprintln!(
            "{name}: waiting for wrangler dev on http://127.0.0.1:{port} (log: {})",
            log_path.display()
        );
        Ok(Worker {
            name,
            base_url: format!("http://127.0.0.1:{port}"),
            secret,
            root,
            state_dir,
            path_env,
            config,
            run_dir,
            child: Mutex::new(Some(child)),
        })
    }

    /// Ready once it answers HTTP; fails early if wrangler exits.
    fn wait_ready(&self) -> Result<(), String> {
        let log_path = &self.run_dir.join("wrangler.log");
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
                    eprintln!("{}: ready after {:.1?}", self.name, started.elapsed());
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
    if let Some(workers) = WORKERS.get() {
        workers.main.stop(keep);
        workers.jwks.stop(keep);
        if let Some(run) = workers.main.run_dir.parent() {
            let _ = fs::remove_dir(run);
        }
    }
}

fn tail(path: &Path) -> String {
    let mut text = String::new();
    let _ = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
