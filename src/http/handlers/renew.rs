//! `PATCH /license/renew/:key` `{duration?}`: the developer extends a license (see
//! `app::renew`). Scoped to the caller: anyone else's license is not found.

use serde::Serialize;

use super::license::LicenseDetails;
use crate::app::renew;
use crate::domain::{parse_renewal, UserId};
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

/// `{"message": "License renewed successfully", "license": {...the developer's view}}`.
pub async fn handle<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    key: &str,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    #[derive(Serialize)]
    struct Answer<'a> {
        message: &'static str,
        license: LicenseDetails<'a>,
    }
    let duration = parse_renewal(request.json_body()?)?;
    let store = cx.store.map_err(ApiError::Config)?;
    let license = renew(store, user, key, duration, cx.now).await?;
    Ok(ApiResponse::json(
        200,
        &Answer {
            message: "License renewed successfully",
            license: LicenseDetails::of(&license),
        },
    ))
}
