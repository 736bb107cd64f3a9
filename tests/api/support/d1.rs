use std::process::Command;

use serde_json::{json, Value};

use super::worker;

/// Runs SQL against the worker's local D1 (the same SQLite files `wrangler dev` serves).
/// The worker may hold the write lock under load: a busy database is retried, boundedly.
pub fn d1_execute(sql: &str) -> Value {
    let w = worker();
    let mut last = String::new();
    for attempt in 0..30 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
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
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            return serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("wrangler printed no JSON ({e}): {stdout}"));
        }
        last = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
        if !last.contains("SQLITE_BUSY") {
            break;
        }
    }
    panic!("wrangler d1 execute failed: {last}");
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
