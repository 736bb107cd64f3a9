//! Test support: the worker process, an HTTP client, tokens and D1 queries.

mod client;
mod d1;
pub mod jwks_server;
pub mod keys;
mod tokens;
mod worker;

pub use client::{post_create, request, request_to, Reply};
pub use d1::{count_licenses, d1_execute, d1_rows};
pub use tokens::{absolute_times, sign_token, token, token_with_claims, SECRET_LEN};
pub use worker::{jwks_worker, start_workers, stop_workers, worker, Worker};

/// The origin the main worker's `CORS_ORIGINS` allows.
pub const ALLOWED_ORIGIN: &str = "https://app.keybox.test";
/// `JWT_ISSUER` and `JWT_AUDIENCE` of the JWKS-mode worker.
pub const ISSUER: &str = "https://issuer.keybox.test/";
pub const AUDIENCE: &str = "keybox-api";
/// The JWKS-mode worker's `JWT_JWKS_REFETCH_SECONDS` (30 in production; short here so that a
/// rotation test does not wait half a minute).
pub const JWKS_REFETCH_SECONDS: u64 = 2;

/// Builds `libtest_mimic` trials from test functions, named `module::function`.
#[macro_export]
macro_rules! trials {
    ($($test:ident),* $(,)?) => {
        vec![$(libtest_mimic::Trial::test(
            format!("{}::{}", module_path!().rsplit("::").next().unwrap_or_default(), stringify!($test)),
            || { $test(); Ok(()) },
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
