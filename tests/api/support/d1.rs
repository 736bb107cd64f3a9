use std::process::Command;

use serde_json::Value;

use super::worker;

/// Runs SQL against the worker's local D1 (the same SQLite files `wrangler dev` serves).
pub fn d1_execute(sql: &str) -> Value {
    let w = worker();
    let mut command = Command::new("npx");
    command.args([
        "wrangler",
        "d1",
        "execute",
        "DB",
        "--local",
        "--json",
        "--persist-to",
    ]);
    command.arg(&w.state_dir).args(["--command", sql]);
    if let Some(config) = &w.config {
        command.arg("--config").arg(config);
    }
    let output = command
        .current_dir(&w.root)
        .env("PATH", &w.path_env)
        .env("WRANGLER_SEND_METRICS", "false")
        .output()
        .expect("run wrangler d1 execute");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrangler d1 execute failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("wrangler printed no JSON ({e}): {stdout}"))
}

/// The rows of a single SELECT.
pub fn d1_rows(sql: &str) -> Vec<Value> {
    match &d1_execute(sql)[0]["results"] {
        Value::Array(rows) => rows.clone(),
        other => panic!("no results in {other}"),
    }
}

/// How many licenses D1 holds for `project`.
pub fn count_licenses(project: &str) -> u64 {
    let rows = d1_rows(&format!(
        "SELECT count(*) AS n FROM licenses WHERE project_id = '{project}'"
    ));
    rows[0]["n"].as_u64().expect("a count")
}
