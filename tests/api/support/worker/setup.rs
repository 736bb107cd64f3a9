//! What every worker of a run shares: the crate root, the run's directory, a PATH with the
//! pinned Node tools, and one build of the wasm.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate root, this run's directory under `target/api-tests/`, and a PATH with Node 22.
pub(super) fn paths() -> (PathBuf, PathBuf, String) {
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

/// Builds the worker once for every `wrangler dev` of the run (quick when up to date).
pub(super) fn build_once(root: &Path, path_env: &str) -> Result<(), String> {
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
