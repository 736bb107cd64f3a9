//! The Workers Rate Limiting bindings (`[[ratelimits]]` in wrangler.toml) as the http layer's
//! [`Limiter`]. The binding's `limit({key})` is called through `js-sys` (workers-rs's wrapper
//! would bring serde-wasm-bindgen into the module for one boolean).

use std::future::Future;
use std::pin::Pin;

use wasm_bindgen::{JsCast, JsValue};
use worker::{console_error, Env};

use crate::http::{LimitScope, Limiter};

/// The binding counting calls per license key.
const PER_KEY: &str = "KEY_RATE_LIMITER";
/// The binding counting calls per client IP.
const PER_IP: &str = "IP_RATE_LIMITER";

/// The two bindings; a missing one limits nothing (and is logged once per call).
pub struct BindingLimiter {
    per_key: Option<JsValue>,
    per_ip: Option<JsValue>,
}

impl BindingLimiter {
    pub fn new(env: &Env) -> Self {
        let binding = |name: &str| env.rate_limiter(name).ok().map(JsValue::from);
        Self {
            per_key: binding(PER_KEY),
            per_ip: binding(PER_IP),
        }
    }
}

/// `binding.limit({key: id})` → its `success`.
async fn limit(binding: &JsValue, id: &str) -> Result<bool, JsValue> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"key".into(), &id.into())?;
    let method: js_sys::Function = js_sys::Reflect::get(binding, &"limit".into())?.dyn_into()?;
    let promise: js_sys::Promise = method.call1(binding, &options)?.dyn_into()?;
    let outcome = crate::boundary::settle(&promise).await?;
    Ok(js_sys::Reflect::get(&outcome, &"success".into())?
        .as_bool()
        .unwrap_or(true))
}

impl Limiter for BindingLimiter {
    fn allow<'a>(
        &'a self,
        scope: LimitScope,
        id: &'a str,
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
        Box::pin(async move {
            let (name, binding) = match scope {
                LimitScope::Key => (PER_KEY, &self.per_key),
                LimitScope::ClientIp => (PER_IP, &self.per_ip),
            };
            let Some(binding) = binding else {
                console_error!("rate limit binding {name} is not configured: not limiting");
                return true;
            };
            // Fail open: a limiter outage must not lock licensed software out.
            limit(binding, id).await.unwrap_or_else(|e| {
                let why = e.dyn_ref::<js_sys::Error>().map(js_sys::Error::message);
                let why = why
                    .map(String::from)
                    .or_else(|| e.as_string())
                    .unwrap_or_default();
                console_error!("rate limit binding {name} failed: {why}");
                true
            })
        })
    }
}
