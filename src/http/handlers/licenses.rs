//! `GET /licenses?clientId=&projectId=&status=&limit=&cursor=`: the caller's licenses, newest
//! first, each as the developer's view (with seats), in keyset pages.

use crate::app::list_licenses;
use crate::domain::{LicenseFilter, PageRequest, UserId};
use crate::http::{json, ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::LifecycleStore;

/// `{"licenses": [...], "nextCursor": "..." | null}`.
pub async fn handle<S: LifecycleStore, R, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let param = |name| request.query_param(name);
    let (client, project, status) = (param("clientId"), param("projectId"), param("status"));
    let filter = LicenseFilter::parse(client.as_deref(), project.as_deref(), status.as_deref())?;
    let page = PageRequest::parse(param("limit").as_deref(), param("cursor").as_deref())?;
    let store = cx.store.map_err(ApiError::Config)?;
    let found = list_licenses(store, user, &filter, &page).await?;
    let licenses: Vec<String> = found.items.iter().map(json::license_details).collect();
    let next = found.next.map(|c| c.encode());
    Ok(ApiResponse::raw_json(
        200,
        json::page("licenses", &licenses, next.as_deref()),
    ))
}
