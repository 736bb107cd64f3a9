//! The HTTP API, tested as a client sees it: real workers under `wrangler dev` (workerd and a
//! fresh local D1, migrated, with a random JWT secret) serve every test, then are stopped. The
//! main worker serves most tests; a second one runs in JWKS mode against the suite's own JWKS
//! server (`support/jwks_server.rs`).
//!
//! Each test uses its own random project id, so tests run in parallel and count their own rows.

#[cfg(not(target_arch = "wasm32"))]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod algorithms;
#[cfg(not(target_arch = "wasm32"))]
mod auth;
#[cfg(not(target_arch = "wasm32"))]
mod concurrency;
#[cfg(not(target_arch = "wasm32"))]
mod cors;
#[cfg(not(target_arch = "wasm32"))]
mod create_license;
#[cfg(not(target_arch = "wasm32"))]
mod jwks;
#[cfg(not(target_arch = "wasm32"))]
mod routing;
#[cfg(not(target_arch = "wasm32"))]
mod storage_failure;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use libtest_mimic::{Arguments, Trial};

    let args = Arguments::from_args();
    let trials: Vec<Trial> = [
        create_license::tests(),
        auth::tests(),
        algorithms::tests(),
        jwks::tests(),
        cors::tests(),
        routing::tests(),
        concurrency::tests(),
        storage_failure::tests(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if args.list
        || trials
            .iter()
            .all(|t| args.is_filtered_out(t) || args.is_ignored(t))
    {
        return libtest_mimic::run(&args, trials).exit_code();
    }
    if let Err(e) = support::start_workers() {
        eprintln!("could not start the workers: {e}");
        support::stop_workers(true);
        return std::process::ExitCode::FAILURE;
    }
    let conclusion = libtest_mimic::run(&args, trials);
    support::stop_workers(conclusion.has_failed());
    conclusion.exit_code()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
