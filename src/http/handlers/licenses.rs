//! `GET /licenses?clientId=&projectId=&status=&limit=&cursor=`: the caller's licenses, newest
//! first, each as the developer's view (with seats), in keyset pages.

use serde::Serialize;

use super::license::LicenseDetails;
use crate::app::list_licenses;
use crate::domain::{LicenseFilter, PageRequest, UserId};
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

/// `{"licenses": [...], "nextCursor": "..." | null}`.
pub async fn handle<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    #[derive(Serialize)]
    struct Answer<'a> {
        licenses: Vec<LicenseDetails<'a>>,
        #[serde(rename = "nextCursor")]
        next_cursor: Option<String>,
    }
    let param = |name| request.query_param(name);
    let (client, project, status) = (param("clientId"), param("projectId"), param("status"));
    let filter = LicenseFilter::parse(client.as_deref(), project.as_deref(), status.as_deref())?;
    let page = PageRequest::parse(param("limit").as_deref(), param("cursor").as_deref())?;
    let store = cx.store.map_err(ApiError::Config)?;
    let found = list_licenses(store, user, &filter, &page).await?;
    Ok(ApiResponse::json(
        200,
        &Answer {
            licenses: found.items.iter().map(LicenseDetails::of).collect(),
            next_cursor: found.next.map(|c| c.encode()),
        },
    ))
}
