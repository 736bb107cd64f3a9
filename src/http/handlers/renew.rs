//! `PATCH /license/renew/:key` `{duration?}`: the developer extends a license (see
//! `app::renew`). Scoped to the caller: anyone else's license is not found.

use crate::app::renew;
use crate::domain::json_text::Obj;
use crate::domain::{parse_renewal, UserId};
use crate::http::{json, ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

/// `{"message": "License renewed successfully", "license": {...the developer's view}}`.
pub async fn handle<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    key: &str,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let duration = parse_renewal(request.json_body()?)?;
    let store = cx.store.map_err(ApiError::Config)?;
    let license = renew(store, user, key, duration, cx.now).await?;
    let body = Obj::new()
        .str("message", "License renewed successfully")
        .raw("license", &json::license_details(&license))
        .end();
    Ok(ApiResponse::raw_json(200, body))
}
