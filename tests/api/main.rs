//! The HTTP API, tested as a client sees it: one real worker under `wrangler dev` (workerd and
//! a fresh local D1, migrated, with a random JWT secret) serves every test, then is stopped.
//!
//! Each test uses its own random project id, so tests run in parallel and count their own rows.

#[cfg(not(target_arch = "wasm32"))]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod auth;
#[cfg(not(target_arch = "wasm32"))]
mod concurrency;
#[cfg(not(target_arch = "wasm32"))]
mod create_license;
#[cfg(not(target_arch = "wasm32"))]
mod hostile;
#[cfg(not(target_arch = "wasm32"))]
mod idempotency;
#[cfg(not(target_arch = "wasm32"))]
mod load;
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
        routing::tests(),
        concurrency::tests(),
        hostile::tests(),
        idempotency::tests(),
        load::tests(),
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
    if let Err(e) = support::start_worker() {
        eprintln!("could not start the worker: {e}");
        support::stop_worker(true);
        return std::process::ExitCode::FAILURE;
    }
    let conclusion = libtest_mimic::run(&args, trials);
    support::stop_worker(conclusion.has_failed());
    conclusion.exit_code()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
