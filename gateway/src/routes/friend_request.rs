//! `/friend_request`: list requests, agree or reject one (GET or POST; id in query or path).
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Id, IdParam};
use crate::routes::page_of;
use crate::state::AppState;
use crate::use_cases;
use actix_web::{get, route, web};
use friend_request::{FriendRequestLists, FriendRequestView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/friend_request")
            .service(list_requests)
            .service(agree_request)
            .service(agree_request_by_path)
            .service(reject_request)
            .service(reject_request_by_path),
    );
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000000)]
    page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

/// Requests to me and from me, newest first, each side paged alike.
#[utoipa::path(tag = "friend_request", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = FriendRequestLists), (status = 400, body = ErrorBody)))]
#[get("/list")]
pub async fn list_requests(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<web::Json<FriendRequestLists>, ApiError> {
    let page = page_of(query.page.as_deref(), query.page_size.as_deref())?;
    Ok(web::Json(state.friend_requests.list(auth.id, page).await?))
}

/// Agrees a request to me: we become friends.
#[utoipa::path(tag = "friend_request", params(("id" = i64, Query, minimum = 1, description = "The friend request's id.")),
    security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[route("/agree", method = "GET", method = "POST")]
pub async fn agree_request(
    state: web::Data<AppState>,
    auth: AuthUser,
    request: Id<IdParam>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    agree(state, auth, request).await
}

/// Agrees, then tells both people's sockets (`friendAdded`, API.md §7).
async fn agree(
    state: web::Data<AppState>,
    auth: AuthUser,
    request: Id<IdParam>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let view = use_cases::agree_friend_request(state.into_inner(), auth.id, request.get()).await?;
    Ok(web::Json(view))
}

async fn reject(
    state: web::Data<AppState>,
    auth: AuthUser,
    request: Id<IdParam>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let view = state.friend_requests.reject(auth.id, request.get()).await?;
    Ok(web::Json(view))
}

/// Agrees a request to me (the id in the path).
#[utoipa::path(tag = "friend_request",
    params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[route("/agree/{id}", method = "GET", method = "POST")]
pub async fn agree_request_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    request: Id<IdParam>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    agree(state, auth, request).await
}

/// Rejects a request to me.
#[utoipa::path(tag = "friend_request", params(("id" = i64, Query, minimum = 1, description = "The friend request's id.")),
    security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[route("/reject", method = "GET", method = "POST")]
pub async fn reject_request(
    state: web::Data<AppState>,
    auth: AuthUser,
    request: Id<IdParam>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    reject(state, auth, request).await
}

/// Rejects a request to me (the id in the path).
#[utoipa::path(tag = "friend_request",
    params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[route("/reject/{id}", method = "GET", method = "POST")]
pub async fn reject_request_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    request: Id<IdParam>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    reject(state, auth, request).await
}
