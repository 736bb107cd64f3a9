//! The HTTP suite's Data API protocol double (tests/api/support/data_api_double), standalone:
//! bench/run.sh measures KeyBox's MongoDB backend and its floor against it. The same code as
//! the suite's, included by path, so the benchmark speaks to the double the tests trust.
//!
//!   cargo run --example data_api_double -- API_KEY
//!
//! Prints one line, `MONGODB_DATA_API_URL=… MONGODB_DATA_SOURCE=… MONGODB_DATABASE=…`, once
//! it listens on a free 127.0.0.1 port; then serves until it is killed.

#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code, unused_imports)] // the tests' inspection and fault helpers, unused here
#[path = "../../tests/api/support/data_api_double/mod.rs"]
mod data_api_double;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::io::Write;

    let Some(api_key) = std::env::args().nth(1) else {
        eprintln!("usage: data_api_double API_KEY");
        return std::process::ExitCode::from(2);
    };
    let double = match data_api_double::DataApiDouble::start(api_key) {
        Ok(double) => double,
        Err(e) => {
            eprintln!("data_api_double: cannot listen on 127.0.0.1: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!(
        "MONGODB_DATA_API_URL={} MONGODB_DATA_SOURCE={} MONGODB_DATABASE={}",
        double.base_url, double.data_source, double.database
    );
    let _ = std::io::stdout().flush();
    // The server runs on its own threads; this one only keeps the process alive.
    loop {
        std::thread::park();
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
