//! `POST /projects/createProject`: the original server's route, a project and its first
//! license in one request.

use serde::Serialize;

use crate::app::{create_project_with_license, Deps};
use crate::domain::{CreateProjectRequest, License, Project, RandomSource, UserId};
use crate::http::{ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::ProjectStore;

#[derive(Serialize)]
struct CreatedBody<'a> {
    message: &'static str,
    project: &'a Project,
    license: &'a License,
}

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
    Ok(ApiResponse::json(
        201,
        &CreatedBody {
            message: "Project and License created successfully",
            project: &project,
            license: &license,
        },
    ))
}
