//! `/favorite`: keep a message, remove a kept one, list them.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::{Deleted, page_of, required_id};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use favorite::{Favorite, FavoriteItem};
use serde::Deserialize;
use user::Page;
use utoipa::IntoParams;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/favorite")
            .service(
                web::resource("/add")
                    .get(add_favorite)
                    .post(add_favorite_by_post),
            )
            .service(web::resource("/list").get(list_favorites))
            .service(web::resource("/delete").delete(delete_favorite))
            .service(web::resource("/{id}").delete(delete_favorite_by_path)),
    );
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct AddFavoriteQuery {
    /// The message to keep; it must be in a room you are in.
    #[param(required = true, value_type = i64, minimum = 1)]
    chat_history_id: Option<String>,
}

/// Keeps a message (201); keeping it again returns the same favorite (200).
#[utoipa::path(get, path = "/favorite/add", tag = "favorite", params(AddFavoriteQuery),
    security(("bearer" = [])),
    responses((status = 201, body = Favorite), (status = 200, body = Favorite),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_favorite(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<AddFavoriteQuery>,
) -> Result<HttpResponse, ApiError> {
    add(&state, auth, query.chat_history_id.as_deref()).await
}

/// Keeps a message (the POST form of `GET /favorite/add`).
#[utoipa::path(post, path = "/favorite/add", tag = "favorite", params(AddFavoriteQuery),
    security(("bearer" = [])),
    responses((status = 201, body = Favorite), (status = 200, body = Favorite),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_favorite_by_post(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<AddFavoriteQuery>,
) -> Result<HttpResponse, ApiError> {
    add(&state, auth, query.chat_history_id.as_deref()).await
}

async fn add(
    state: &AppState,
    auth: AuthUser,
    message: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let message = required_id("chatHistoryId", message)?;
    let added = state.favorites.add(auth.id, message).await?;
    Ok(if added.created {
        HttpResponse::Created().json(added.favorite)
    } else {
        HttpResponse::Ok().json(added.favorite)
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct FavoriteIdQuery {
    #[param(required = true, value_type = i64, minimum = 1)]
    id: Option<String>,
}

/// Removes one of your favorites; anyone else's is 404.
#[utoipa::path(delete, path = "/favorite/delete", tag = "favorite", params(FavoriteIdQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_favorite(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<FavoriteIdQuery>,
) -> Result<web::Json<Deleted>, ApiError> {
    delete(&state, auth, query.id.as_deref()).await
}

/// Removes one of your favorites (the id in the path).
#[utoipa::path(delete, path = "/favorite/{id}", tag = "favorite",
    params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_favorite_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<Deleted>, ApiError> {
    delete(&state, auth, Some(path.as_str())).await
}

async fn delete(
    state: &AppState,
    auth: AuthUser,
    id: Option<&str>,
) -> Result<web::Json<Deleted>, ApiError> {
    let id = required_id("id", id)?;
    state.favorites.delete(auth.id, id).await?;
    Ok(web::Json(Deleted { deleted: true }))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct FavoriteListQuery {
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000000)]
    page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

/// Your favorites, newest first, each with its message, sender and room.
#[utoipa::path(get, path = "/favorite/list", tag = "favorite", params(FavoriteListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<FavoriteItem>), (status = 400, body = ErrorBody)))]
pub async fn list_favorites(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<FavoriteListQuery>,
) -> Result<web::Json<Page<FavoriteItem>>, ApiError> {
    let page = page_of(query.page.as_deref(), query.page_size.as_deref())?;
    Ok(web::Json(state.favorites.list(auth.id, page).await?))
}
