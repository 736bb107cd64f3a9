//! Settings and the id generator, made once per isolate.

use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::OnceLock;

use worker::Env;

use crate::config::{Config, ConfigError, StorageConfig};
use crate::domain::{EntropyUnavailable, ObjectIdGenerator, OsRandom, RandomSource};
use crate::http::CorsPolicy;

/// Every setting, parsed once per isolate: a Worker's vars and secrets cannot change under a
/// running isolate (a new deployment or `.dev.vars` edit starts new ones). Keys in
/// `JWT_PUBLIC_KEY` are thus parsed once, not on every request. Errors are kept, not thrown:
/// the router answers them on the routes that need the setting.
pub struct Settings {
    pub config: Result<Config, ConfigError>,
    pub storage: Result<StorageConfig, ConfigError>,
    pub cors: CorsPolicy,
    /// `RATE_LIMITS=off` turns the public calls' rate limits off (benchmarks, test workers).
    pub rate_limits: bool,
}

thread_local! {
    static SETTINGS: OnceCell<Rc<Settings>> = const { OnceCell::new() };
}

/// A var or secret of the Worker.
fn setting(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .or_else(|_| env.var(name))
        .ok()
        .map(|v| v.to_string())
}

pub fn of(env: &Env) -> Rc<Settings> {
    SETTINGS.with(|cell| {
        cell.get_or_init(|| {
            Rc::new(Settings {
                config: Config::from_lookup(|name| setting(env, name)),
                storage: StorageConfig::from_lookup(|name| setting(env, name)),
                cors: CorsPolicy::from_setting(setting(env, "CORS_ORIGINS").as_deref()),
                rate_limits: !setting(env, "RATE_LIMITS")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("off")),
            })
        })
        .clone()
    })
}

/// Seeded on the first request: Workers forbid randomness at global scope.
static IDS: OnceLock<ObjectIdGenerator> = OnceLock::new();

pub fn id_generator() -> Result<&'static ObjectIdGenerator, EntropyUnavailable> {
    if let Some(ids) = IDS.get() {
        return Ok(ids);
    }
    let mut seed = [0u8; 8];
    OsRandom.fill(&mut seed)?;
    let [a, b, c, d, e, x, y, z] = seed;
    Ok(IDS
        .get_or_init(|| ObjectIdGenerator::new([a, b, c, d, e], u32::from_be_bytes([0, x, y, z]))))
}
