//! The HTTP API, tested as a client sees it: real workers under `wrangler dev`, one per storage
//! backend (`d1`: a fresh local D1, migrated; `mongodb`: the Data API protocol double on
//! loopback), with one random JWT secret, serve every test, then are stopped. A third worker
//! runs in JWKS mode against the suite's own JWKS server (`support/jwks_server.rs`).
//!
//! Every contract test runs against both backends (`d1::…` and `mongodb::…`); `mongodb_store`
//! holds the Mongo-only checks. Each test uses its own random project id, so tests run in
//! parallel and count their own rows or documents.

#[cfg(not(target_arch = "wasm32"))]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod activation;
#[cfg(not(target_arch = "wasm32"))]
mod algorithms;
#[cfg(not(target_arch = "wasm32"))]
mod auth;
#[cfg(not(target_arch = "wasm32"))]
mod clients_projects;
#[cfg(not(target_arch = "wasm32"))]
mod concurrency;
#[cfg(not(target_arch = "wasm32"))]
mod configuration;
#[cfg(not(target_arch = "wasm32"))]
mod consistency;
#[cfg(not(target_arch = "wasm32"))]
mod cors;
#[cfg(not(target_arch = "wasm32"))]
mod create_license;
#[cfg(not(target_arch = "wasm32"))]
mod expiry_sweep;
#[cfg(not(target_arch = "wasm32"))]
mod hostile;
#[cfg(not(target_arch = "wasm32"))]
mod hostile_lifecycle;
#[cfg(not(target_arch = "wasm32"))]
mod hostile_owned;
#[cfg(not(target_arch = "wasm32"))]
mod idempotency;
#[cfg(not(target_arch = "wasm32"))]
mod jwks;
#[cfg(not(target_arch = "wasm32"))]
mod license_admin;
#[cfg(not(target_arch = "wasm32"))]
mod listing;
#[cfg(not(target_arch = "wasm32"))]
mod load;
#[cfg(not(target_arch = "wasm32"))]
mod mongodb_store;
#[cfg(not(target_arch = "wasm32"))]
mod openapi_document;
#[cfg(not(target_arch = "wasm32"))]
mod ownership;
#[cfg(not(target_arch = "wasm32"))]
mod rate_limits;
#[cfg(not(target_arch = "wasm32"))]
mod renewal;
#[cfg(not(target_arch = "wasm32"))]
mod routing;
#[cfg(not(target_arch = "wasm32"))]
mod seat_races;
#[cfg(not(target_arch = "wasm32"))]
mod storage_failure;
#[cfg(not(target_arch = "wasm32"))]
mod tokens;
#[cfg(not(target_arch = "wasm32"))]
mod validation;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use libtest_mimic::{Arguments, Trial};

    let args = Arguments::from_args();
    let trials: Vec<Trial> = [
        create_license::tests(),
        auth::tests(),
        configuration::tests(),
        algorithms::tests(),
        jwks::tests(),
        cors::tests(),
        routing::tests(),
        concurrency::tests(),
        hostile::tests(),
        idempotency::tests(),
        load::tests(),
        storage_failure::tests(),
        mongodb_store::tests(),
        activation::tests(),
        validation::tests(),
        seat_races::tests(),
        license_admin::tests(),
        hostile_lifecycle::tests(),
        clients_projects::tests(),
        ownership::tests(),
        hostile_owned::tests(),
        tokens::tests(),
        renewal::tests(),
        listing::tests(),
        expiry_sweep::tests(),
        rate_limits::tests(),
        openapi_document::tests(),
        consistency::tests(),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Only the backends of the trials that will run get a worker.
    let backends: Vec<support::Backend> = support::Backend::ALL
        .into_iter()
        .filter(|backend| {
            let prefix = format!("{}::", backend.name());
            trials.iter().any(|t| {
                t.name().starts_with(&prefix) && !args.is_filtered_out(t) && !args.is_ignored(t)
            })
        })
        .collect();
    if args.list || backends.is_empty() {
        return libtest_mimic::run(&args, trials).exit_code();
    }
    let will_run = |t: &Trial| !args.is_filtered_out(t) && !args.is_ignored(t);
    let jwks = trials
        .iter()
        .any(|t| t.name().contains("::jwks::") && will_run(t));
    if let Err(e) = support::start_workers(&backends, jwks) {
        eprintln!("could not start the workers: {e}");
        support::stop_workers(true);
        return std::process::ExitCode::FAILURE;
    }
    let conclusion = libtest_mimic::run(&args, trials);
    println!(
        "openapi: {} replies validated against docs/openapi.json",
        support::openapi::validated_count()
    );
    support::stop_workers(conclusion.has_failed());
    conclusion.exit_code()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
