//! `POST /projects/createProject`: the original server's route, a project and its first
//! license in one request.

use crate::app::{create_project_with_license, Deps};
use crate::domain::json_text::Obj;
use crate::domain::{CreateProjectRequest, RandomSource, UserId};
use crate::http::{json, ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::ProjectStore;

pub async fn handle<S: ProjectStore, R: RandomSource, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &mut Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let input = CreateProjectRequest::parse(request.json_body()?)?;
    let mut deps = Deps {
        store: cx.store.map_err(ApiError::Config)?,
        ids: cx.ids?,
        random: &mut cx.random,
        now: cx.now,
    };
    let (project, license) = create_project_with_license(&mut deps, user, &input).await?;
    let body = Obj::new()
        .str("message", "Project and License created successfully")
        .raw("project", &json::project(&project))
        .raw("license", &json::license(&license))
        .end();
    Ok(ApiResponse::raw_json(201, body))
}
