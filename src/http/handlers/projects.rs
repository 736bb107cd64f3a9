//! `/projects` and `/projects/:id`: the caller's projects. Thin: parse → use case → answer.

use crate::app::{self, AppError, Deps};
use crate::domain::json_text::Obj;
use crate::domain::{NewProject, ObjectId, PageRequest, Project, ProjectChanges, UserId};
use crate::http::routes::Params;
use crate::http::{json, ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::{ProjectStore, Refusal};

/// An id from the path or query; one that is not an ObjectId names nothing, like a missing one.
fn parse_id(text: Option<&str>, missing: Refusal) -> Result<ObjectId, ApiError> {
    text.and_then(|id| ObjectId::parse(id).ok())
        .ok_or(ApiError::App(AppError::Refused(missing)))
}

fn project_id(params: &Params<'_>) -> Result<ObjectId, ApiError> {
    parse_id(params.get("id"), Refusal::ProjectNotFound)
}

fn answer(status: u16, message: Option<&'static str>, project: &Project) -> ApiResponse {
    let mut body = Obj::new();
    if let Some(message) = message {
        body.str("message", message);
    }
    body.raw("project", &json::project(project));
    ApiResponse::raw_json(status, body.end())
}

/// `POST /projects` with `name` and `clientId` (one of the caller's clients).
pub async fn create<S: ProjectStore, R, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &mut Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let input = NewProject::parse(request.json_body()?)?;
    let deps = Deps {
        store: cx.store.map_err(ApiError::Config)?,
        ids: cx.ids?,
        random: (),
        now: cx.now,
    };
    let project = app::create_project(&deps, user, input).await?;
    Ok(answer(201, Some("Project created successfully"), &project))
}

/// `GET /projects?clientId=&limit=&cursor=`.
pub async fn list<S: ProjectStore, R, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let client = parse_id(
        request.query_param("clientId").as_deref(),
        Refusal::ClientNotFound,
    )?;
    let page = PageRequest::parse(
        request.query_param("limit").as_deref(),
        request.query_param("cursor").as_deref(),
    )?;
    let store = cx.store.map_err(ApiError::Config)?;
    let page = app::list_projects(store, user, &client, &page).await?;
    let items: Vec<String> = page.items.iter().map(json::project).collect();
    let next = page.next.map(|c| c.encode());
    Ok(ApiResponse::raw_json(
        200,
        json::page("projects", &items, next.as_deref()),
    ))
}

/// `GET /projects/:id`.
pub async fn get<S: ProjectStore, R, K>(
    params: &Params<'_>,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let id = project_id(params)?;
    let store = cx.store.map_err(ApiError::Config)?;
    let project = app::get_project(store, user, &id).await?;
    Ok(answer(200, None, &project))
}

/// `PATCH /projects/:id` with `name`.
pub async fn update<S: ProjectStore, R, K>(
    request: &ApiRequest,
    params: &Params<'_>,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let id = project_id(params)?;
    let changes = ProjectChanges::parse(request.json_body()?)?;
    let deps = Deps {
        store: cx.store.map_err(ApiError::Config)?,
        ids: cx.ids?,
        random: (),
        now: cx.now,
    };
    let project = app::update_project(&deps, user, &id, &changes).await?;
    Ok(answer(200, Some("Project updated"), &project))
}

/// `DELETE /projects/:id`: refused while the project has live licenses.
pub async fn delete<S: ProjectStore, R, K>(
    params: &Params<'_>,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let id = project_id(params)?;
    let store = cx.store.map_err(ApiError::Config)?;
    app::delete_project(store, user, &id).await?;
    Ok(ApiResponse::message(200, "Project deleted"))
}
