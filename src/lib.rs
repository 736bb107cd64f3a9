//! KeyBox Edge: a software-license server for Cloudflare Workers.
//!
//! `domain` and `auth` are pure and natively tested; `http` turns requests into responses
//! without `worker::` types; `storage` holds the store trait and its backends.

pub mod auth;
pub mod config;
pub mod domain;
pub mod http;
pub mod storage;

#[cfg(target_arch = "wasm32")]
mod entry {
    use std::cell::OnceCell;
    use std::rc::Rc;
    use std::sync::OnceLock;

    use worker::{event, Context, Env, Request, Response};

    use crate::config::{Config, ConfigError, StorageConfig};
    use crate::domain::{EntropyUnavailable, ObjectIdGenerator, OsRandom, RandomSource};
    use crate::http::jwks_fetch::WorkerJwks;
    use crate::http::{adapter, handle, ApiError, App, CorsPolicy};
    use crate::storage::{D1Store, MongoStore, Store};

    /// Seeded on the first request: Workers forbid randomness at global scope.
    static IDS: OnceLock<ObjectIdGenerator> = OnceLock::new();

    fn id_generator() -> Result<&'static ObjectIdGenerator, EntropyUnavailable> {
        if let Some(ids) = IDS.get() {
            return Ok(ids);
        }
        let mut seed = [0u8; 8];
        OsRandom.fill(&mut seed)?;
        let [a, b, c, d, e, x, y, z] = seed;
        Ok(IDS.get_or_init(|| {
            ObjectIdGenerator::new([a, b, c, d, e], u32::from_be_bytes([0, x, y, z]))
        }))
    }

    fn setting(env: &Env, name: &str) -> Option<String> {
        env.secret(name)
            .or_else(|_| env.var(name))
            .ok()
            .map(|v| v.to_string())
    }

    /// Every setting, parsed once per isolate: a Worker's vars and secrets cannot change under
    /// a running isolate (a new deployment or `.dev.vars` edit starts new ones). Keys in
    /// `JWT_PUBLIC_KEY` are thus parsed once, not on every request.
    struct Settings {
        config: Result<Config, ConfigError>,
        storage: Result<StorageConfig, ConfigError>,
        cors: CorsPolicy,
    }

    thread_local! {
        static SETTINGS: OnceCell<Rc<Settings>> = const { OnceCell::new() };
    }

    fn settings(env: &Env) -> Rc<Settings> {
        SETTINGS.with(|cell| {
            cell.get_or_init(|| {
                Rc::new(Settings {
                    config: Config::from_lookup(|name| setting(env, name)),
                    storage: StorageConfig::from_lookup(|name| setting(env, name)),
                    cors: CorsPolicy::from_setting(setting(env, "CORS_ORIGINS").as_deref()),
                })
            })
            .clone()
        })
    }

    /// The backend `STORAGE` names; a misconfiguration is reported, never a panic.
    fn open_store(
        env: &Env,
        storage: &Result<StorageConfig, ConfigError>,
    ) -> Result<Store, ConfigError> {
        match storage.clone()? {
            StorageConfig::D1 => env
                .d1("DB")
                .map(|db| Store::D1(D1Store::new(db)))
                .map_err(|_| ConfigError {
                    setting: "DB",
                    problem: "(D1 binding) is not configured",
                }),
            StorageConfig::Mongo(settings) => Ok(Store::Mongo(MongoStore::new(settings))),
        }
    }

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
        let ids = match id_generator() {
            Ok(ids) => ids,
            Err(e) => return adapter::into_worker_response(ApiError::from(e).into_response()),
        };
        let settings = settings(&env);
        let store = match open_store(&env, &settings.storage) {
            Ok(store) => store,
            Err(e) => return adapter::into_worker_response(ApiError::Config(e).into_response()),
        };
        let config = settings.config.as_ref().map_err(|e| *e);
        let remote_keys = WorkerJwks {
            settings: config.ok().and_then(|c| c.jwks.as_ref()),
        };
        let now =
            chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
        let body = adapter::read_body(&mut req).await;
        let (method, path) = (req.method().to_string(), req.path());
        let headers = adapter::RequestHeaders::of(&req);
        let request = adapter::api_request(&method, &path, &headers, body);
        let mut app = App {
            config,
            cors: &settings.cors,
            remote_keys: &remote_keys,
            store: &store,
            ids,
            now,
            random: OsRandom,
        };
        adapter::into_worker_response(handle(request, &mut app).await)
    }
}
