//! The Cron Trigger (`[triggers] crons` in wrangler.toml): the expiry sweep (`app::sweep`),
//! on the backend `STORAGE` names. Failures are logged; the next run retries.

use worker::{console_error, console_log, event, Env, ScheduleContext, ScheduledEvent};

use super::{settings, store};
use crate::app::{sweep_expired, SWEEP_BATCH, SWEEP_MAX_BATCHES};

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let settings = settings::of(&env);
    let store = match store::open(&env, &settings.storage) {
        Ok(store) => store,
        Err(e) => return console_error!("expiry sweep ({}): {e}", event.cron()),
    };
    let now =
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    match sweep_expired(&store, now, SWEEP_BATCH, SWEEP_MAX_BATCHES).await {
        Ok(sweep) => console_log!(
            "expiry sweep ({}): {} licenses expired{}",
            event.cron(),
            sweep.expired,
            if sweep.complete {
                ""
            } else {
                ", more left for the next run"
            }
        ),
        Err(e) => console_error!("expiry sweep ({}): {e}", event.cron()),
    }
}
