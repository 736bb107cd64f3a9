use std::process::Command;

use serde_json::{json, Value};

use super::worker;

/// Runs SQL against the worker's local D1 (the same SQLite files `wrangler dev` serves).
pub fn d1_execute(sql: &str) -> Value {
    let w = worker();
    let output = Command::new("npx")
        .args([
            "wrangler",
            "d1",
            "execute",
            "DB",
            "--local",
            "--json",
            "--persist-to",
        ])
        .arg(&w.state_dir)
        .args(["--command", sql])
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

/// The rows D1 holds for `project`, in the API's JSON shape.
pub fn stored_licenses(project: &str) -> Vec<Value> {
    d1_rows(&format!(
        "SELECT * FROM licenses WHERE project_id = '{project}'"
    ))
    .into_iter()
    .map(|row| {
        let services = row["services"]
            .as_str()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .unwrap_or(Value::Null);
        json!({
            "key": row["key"],
            "duration": row["duration"],
            "issuedAt": row["issued_at"],
            "expiresAt": row["expires_at"],
            "status": row["status"],
            "services": services,
            "user": row["user_id"],
            "client": row["client_id"],
            "project": row["project_id"],
            "_id": row["id"],
        })
    })
    .collect()
}
