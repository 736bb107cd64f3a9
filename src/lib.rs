//! KeyBox Edge: a software-license server for Cloudflare Workers.
//!
//! # Architecture
//!
//! ```text
//! edge ──▶ http ──▶ app ──▶ domain
//!   │        │       └────▶ storage (traits) ──▶ domain
//!   │        └────▶ auth ──▶ domain
//!   └──▶ storage backends (d1, mongo), config
//! ```
//!
//! - [`domain`]: licenses, keys, ids, dates, request parsing. Pure; imports nothing else here.
//! - [`auth`]: bearer tokens and JWT verification, pure (keys and "now" are inputs).
//! - [`tokens`]: the signed license tokens validate and activate return, and their key set.
//! - [`storage`]: the store traits and their contract; one module per backend, plus
//!   `MemoryStore` (native only) for tests and benches.
//! - [`app`]: the use cases, generic over the stores and the random source; return domain
//!   outcomes and [`app::AppError`], never HTTP types.
//! - [`http`]: the route table, one handler file per endpoint, the one error → status mapping.
//!   No `worker::` types, so the whole request path runs natively in tests.
//! - `edge` (wasm only): the `#[event(fetch)]` and `#[event(scheduled)]` entries, the
//!   `web_sys::Request`/`Response` adapter, per-isolate settings, the backend enums, the
//!   rate-limit binding and the `fetch` transports (JWKS keys, the MongoDB Data API).
//! - JS at the boundary, where a call per value would cost more than the work: `edge/glue.js`
//!   (the request head and the response, one call each), `edge/jwks.js` (the JWKS fetch and its
//!   Cache API copy) and `storage/d1/driver.js` (each D1 statement). They pass texts whose
//!   formats are built and parsed by pure Rust (`http::wire`, `d1::params`, `d1::nearest_rows`);
//!   every decision stays in Rust; their promises, and the runtime's, are awaited through
//!   `boundary::settle` (one callback per isolate, not two closures per await).
//! - [`config`]: typed settings, parsed once per isolate.
//!
//! Imports point inwards: `domain` knows nothing of the others, `app` nothing of `http`, and
//! only `edge` and the backends touch `worker::`.
//!
//! # Adding an endpoint
//!
//! 1. `http/routes.rs`: a [`http::routes::Route`] in `ROUTES`, an `Endpoint` variant, its arm
//!    in `dispatch`.
//! 2. `http/handlers/<endpoint>.rs`: parse → use case → answer.
//! 3. `app/<use_case>.rs`, when the endpoint does more than answer from its input.
//! 4. The store methods it needs: the trait (`storage/mod.rs`, `lifecycle.rs`, `owned.rs`),
//!    each backend (`d1`, `mongo`, `memory`) and the delegation in `edge/store.rs` or
//!    `edge/owned_store.rs`.
//!
//! New failures get an [`app::AppError`] (or [`http::ApiError`]) variant and one arm in
//! `http/error.rs`.

pub mod app;
pub mod auth;
#[cfg(any(target_arch = "wasm32", test))]
mod boundary;
pub mod config;
pub mod domain;
#[cfg(target_arch = "wasm32")]
mod edge;
pub mod http;
pub mod storage;
pub mod tokens;
#[cfg(target_arch = "wasm32")]
mod webcrypto;
