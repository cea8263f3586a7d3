//! `/favorite`: keep a message, remove a kept one, list them.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Id, IdParam, MessageIdParam};
use crate::routes::{Deleted, page_of};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, route, web};
use favorite::{Favorite, FavoriteItem};
use serde::Deserialize;
use user::Page;
use utoipa::IntoParams;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/favorite")
            .service(add_favorite)
            .service(list_favorites)
            .service(delete_favorite)
            .service(delete_favorite_by_path),
    );
}

/// Keeps a message (201); keeping it again returns the same favorite (200). GET is the original
/// design's form.
#[utoipa::path(tag = "favorite",
    params(("chatHistoryId" = i64, Query, minimum = 1,
        description = "The message to keep; it must be in a room you are in.")),
    security(("bearer" = [])),
    responses((status = 201, body = Favorite), (status = 200, body = Favorite),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[route("/add", method = "GET", method = "POST")]
pub async fn add_favorite(
    state: web::Data<AppState>,
    auth: AuthUser,
    message: Id<MessageIdParam>,
) -> Result<HttpResponse, ApiError> {
    let added = state.favorites.add(auth.id, message.get()).await?;
    Ok(if added.created {
        HttpResponse::Created().json(added.favorite)
    } else {
        HttpResponse::Ok().json(added.favorite)
    })
}

/// Removes one of your favorites; anyone else's is 404.
#[utoipa::path(tag = "favorite", params(("id" = i64, Query, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/delete")]
pub async fn delete_favorite(
    state: web::Data<AppState>,
    auth: AuthUser,
    favorite: Id<IdParam>,
) -> Result<web::Json<Deleted>, ApiError> {
    remove(&state, auth, favorite).await
}

/// Removes one of your favorites (the id in the path).
#[utoipa::path(tag = "favorite",
    params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/{id}")]
pub async fn delete_favorite_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    favorite: Id<IdParam>,
) -> Result<web::Json<Deleted>, ApiError> {
    remove(&state, auth, favorite).await
}

async fn remove(
    state: &AppState,
    auth: AuthUser,
    favorite: Id<IdParam>,
) -> Result<web::Json<Deleted>, ApiError> {
    state.favorites.delete(auth.id, favorite.get()).await?;
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
#[utoipa::path(tag = "favorite", params(FavoriteListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<FavoriteItem>), (status = 400, body = ErrorBody)))]
#[get("/list")]
pub async fn list_favorites(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<FavoriteListQuery>,
) -> Result<web::Json<Page<FavoriteItem>>, ApiError> {
    let page = page_of(query.page.as_deref(), query.page_size.as_deref())?;
    Ok(web::Json(state.favorites.list(auth.id, page).await?))
}
