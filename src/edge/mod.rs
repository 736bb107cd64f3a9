//! The Workers runtime, in one place (wasm only): the `fetch` entry, the `scheduled` one (the
//! expiry sweep), the request/response adapter, per-isolate settings and the backend they
//! pick, and the `fetch` transports (the JWKS keys, the MongoDB Data API).

mod data_api;
mod jwks_fetch;
mod owned_store;
mod rate_limit;
mod request;
mod scheduled;
mod settings;
mod store;

use worker::{event, Context, Env};

use crate::domain::OsRandom;
use crate::http::{handle, Context as Cx};

#[event(fetch)]
async fn fetch(
    req: web_sys::Request,
    env: Env,
    _ctx: Context,
) -> worker::Result<web_sys::Response> {
    let settings = settings::of(&env);
    let store = store::open(&env, &settings.storage);
    let config = settings.config.as_ref().map_err(|e| *e);
    let remote_keys = jwks_fetch::WorkerJwks {
        settings: config.ok().and_then(|c| c.jwks.as_ref()),
    };
    let limiter = settings
        .rate_limits
        .then(|| rate_limit::BindingLimiter::new(&env));
    let request = request::read(req).await;
    let mut cx = Cx {
        config,
        cors: &settings.cors,
        remote_keys: &remote_keys,
        store: store.as_ref().map_err(|e| *e),
        ids: settings::id_generator(),
        now: chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64)
            .unwrap_or_default(),
        random: OsRandom,
        limiter: limiter.as_ref().map(|l| l as &dyn crate::http::Limiter),
    };
    Ok(request::respond(handle(request, &mut cx).await))
}
