//! `keybox-wasm-bindgen WASM OUT_DIR`: what `wasm-bindgen WASM --out-dir OUT_DIR --target module
//! --out-name index --no-typescript --experimental-reset-state-function
//! --force-enable-abort-handler` does (the command worker-build 0.8.7 runs for a release build),
//! through the same library calls as wasm-bindgen-cli 0.2.130's src/wasm_bindgen.rs.
//! `--version` prints `wasm-bindgen VERSION`, like the CLI.

use std::process::ExitCode;

use wasm_bindgen_cli_support::Bindgen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag == "--version" => {
            println!("wasm-bindgen {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        [input, out_dir] => match generate(input, out_dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("keybox-wasm-bindgen: {e:?}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: keybox-wasm-bindgen WASM OUT_DIR | --version");
            ExitCode::from(2)
        }
    }
}

/// The CLI's option values, defaults included (the library's own defaults differ: e.g. it omits
/// the default module path unless told not to).
fn generate(input: &str, out_dir: &str) -> anyhow::Result<()> {
    let mut b = Bindgen::new();
    b.module(true)?;
    b.input_path(input)
        .debug(false)
        .demangle(true)
        .keep_lld_exports(false)
        .keep_debug(false)
        .split_debug_info(false)
        .remove_name_section(false)
        .remove_producers_section(false)
        .typescript(false)
        .omit_imports(false)
        .omit_default_module_path(false)
        .split_linked_modules(false)
        .js_string_builtins(false)
        .ts_typed_array_buffers(false)
        .reset_state_function(true)
        .force_enable_abort_handler(true)
        .out_name("index");
    b.generate(out_dir)
}
