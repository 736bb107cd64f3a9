//! Test support: the worker process, an HTTP client, tokens and D1 queries.

mod client;
mod d1;
mod tokens;
mod worker;

pub use client::{post_create, request, Reply};
pub use d1::{count_licenses, d1_execute, d1_rows};
pub use tokens::{sign_token, token, token_with_claims, SECRET_LEN};
pub use worker::{start_worker, stop_worker, worker};

/// Tests share one worker and run in parallel. A test that changes the D1 schema (a trigger
/// that forces failures) takes this lock exclusively: SQLite allows one writer, so a schema
/// change from outside would make other tests' inserts fail with "database is locked".
pub static SCHEMA: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Builds `libtest_mimic` trials from test functions, named `module::function`, sharing the
/// database with each other (see [`SCHEMA`]).
#[macro_export]
macro_rules! trials {
    ($($test:ident),* $(,)?) => {
        vec![$(libtest_mimic::Trial::test(
            format!("{}::{}", module_path!().rsplit("::").next().unwrap_or_default(), stringify!($test)),
            || {
                let _shared = $crate::support::SCHEMA.read().unwrap_or_else(|e| e.into_inner());
                $test();
                Ok(())
            },
        )),*]
    };
}

/// Like [`trials!`], for tests that change the schema: each runs alone.
#[macro_export]
macro_rules! exclusive_trials {
    ($($test:ident),* $(,)?) => {
        vec![$(libtest_mimic::Trial::test(
            format!("{}::{}", module_path!().rsplit("::").next().unwrap_or_default(), stringify!($test)),
            || {
                let _alone = $crate::support::SCHEMA.write().unwrap_or_else(|e| e.into_inner());
                $test();
                Ok(())
            },
        )),*]
    };
}

/// A fresh random ObjectId (24 lowercase hex digits), so each test owns its rows.
pub fn random_object_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).expect("OS randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A valid create body for `project`.
pub fn create_body(project: &str) -> String {
    format!(
        r#"{{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"{project}","services":["Hosting","Domain"]}}"#
    )
}
