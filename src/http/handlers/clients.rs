//! `/clients` and `/clients/:id`: the caller's clients. Thin: parse → use case → answer.

use crate::app::{self, AppError, Deps};
use crate::domain::json_text::Obj;
use crate::domain::{Client, ClientChanges, NewClient, ObjectId, PageRequest, UserId};
use crate::http::routes::Params;
use crate::http::{json, ApiError, ApiRequest, ApiResponse, Context};
use crate::storage::{ClientStore, Refusal};

/// The `:id` of the path; one that is not an ObjectId names no client, like a missing one.
fn client_id(params: &Params<'_>) -> Result<ObjectId, ApiError> {
    params
        .get("id")
        .and_then(|id| ObjectId::parse(id).ok())
        .ok_or(ApiError::App(AppError::Refused(Refusal::ClientNotFound)))
}

fn answer(status: u16, message: Option<&'static str>, client: &Client) -> ApiResponse {
    let mut body = Obj::new();
    if let Some(message) = message {
        body.str("message", message);
    }
    body.raw("client", &json::client(client));
    ApiResponse::raw_json(status, body.end())
}

/// `POST /clients`.
pub async fn create<S: ClientStore, R, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &mut Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let input = NewClient::parse(request.json_body()?)?;
    let deps = Deps {
        store: cx.store.map_err(ApiError::Config)?,
        ids: cx.ids?,
        random: (),
        now: cx.now,
    };
    let client = app::create_client(&deps, user, input).await?;
    Ok(answer(201, Some("Client created successfully"), &client))
}

/// `GET /clients?limit=&cursor=`.
pub async fn list<S: ClientStore, R, K>(
    request: &ApiRequest,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let page = PageRequest::parse(
        request.query_param("limit").as_deref(),
        request.query_param("cursor").as_deref(),
    )?;
    let store = cx.store.map_err(ApiError::Config)?;
    let page = app::list_clients(store, user, &page).await?;
    let items: Vec<String> = page.items.iter().map(json::client).collect();
    let next = page.next.map(|c| c.encode());
    Ok(ApiResponse::raw_json(
        200,
        json::page("clients", &items, next.as_deref()),
    ))
}

/// `GET /clients/:id`.
pub async fn get<S: ClientStore, R, K>(
    params: &Params<'_>,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let id = client_id(params)?;
    let store = cx.store.map_err(ApiError::Config)?;
    let client = app::get_client(store, user, &id).await?;
    Ok(answer(200, None, &client))
}

/// `PATCH /clients/:id` with `name` and/or `email`.
pub async fn update<S: ClientStore, R, K>(
    request: &ApiRequest,
    params: &Params<'_>,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let id = client_id(params)?;
    let changes = ClientChanges::parse(request.json_body()?)?;
    let deps = Deps {
        store: cx.store.map_err(ApiError::Config)?,
        ids: cx.ids?,
        random: (),
        now: cx.now,
    };
    let client = app::update_client(&deps, user, &id, &changes).await?;
    Ok(answer(200, Some("Client updated"), &client))
}

/// `DELETE /clients/:id`: refused while the client has projects.
pub async fn delete<S: ClientStore, R, K>(
    params: &Params<'_>,
    user: &UserId,
    cx: &Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    let id = client_id(params)?;
    let store = cx.store.map_err(ApiError::Config)?;
    app::delete_client(store, user, &id).await?;
    Ok(ApiResponse::message(200, "Client deleted"))
}
