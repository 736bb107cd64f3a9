//! Cloudflare D1 (SQLite). The schema lives in `migrations/`; the SQL lives in the wasm-only
//! files, which reach D1 through `store.rs` and `driver.js` alone; `params.rs` builds the bound
//! values' JSON and `rows.rs` reads rows back into the domain (both pure, so natively tested).

#[cfg(target_arch = "wasm32")]
mod admin;
#[cfg(target_arch = "wasm32")]
mod lifecycle;
#[cfg(target_arch = "wasm32")]
mod nearest;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // read by nearest.rs; tested natively
mod nearest_rows;
#[cfg(target_arch = "wasm32")]
mod owned;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // read by owned.rs; tested natively
mod owned_rows;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // read by store.rs; tested natively
mod params;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // read by store.rs; tested natively
mod rows;
#[cfg(target_arch = "wasm32")]
mod store;

#[cfg(target_arch = "wasm32")]
pub use store::D1Store;
