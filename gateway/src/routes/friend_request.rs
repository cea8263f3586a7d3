//! `/friend_request`: list requests, agree or reject one (GET or POST; id in query or path).
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::{page_of, required_id};
use crate::state::AppState;
use crate::use_cases;
use actix_web::web;
use friend_request::{FriendRequestLists, FriendRequestView};
use serde::Deserialize;
use utoipa::IntoParams;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/friend_request")
            .service(web::resource("/list").get(list_requests))
            .service(
                web::resource("/agree")
                    .get(agree_request)
                    .post(agree_request),
            )
            .service(
                web::resource("/agree/{id}")
                    .get(agree_request_by_path)
                    .post(agree_request_by_path),
            )
            .service(
                web::resource("/reject")
                    .get(reject_request)
                    .post(reject_request),
            )
            .service(
                web::resource("/reject/{id}")
                    .get(reject_request_by_path)
                    .post(reject_request_by_path),
            ),
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
#[utoipa::path(get, path = "/friend_request/list", tag = "friend_request", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = FriendRequestLists), (status = 400, body = ErrorBody)))]
pub async fn list_requests(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<web::Json<FriendRequestLists>, ApiError> {
    let page = page_of(query.page.as_deref(), query.page_size.as_deref())?;
    Ok(web::Json(state.friend_requests.list(auth.id, page).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct IdQuery {
    /// The friend request's id.
    #[param(required = true, value_type = i64, minimum = 1)]
    id: Option<String>,
}

/// Agrees a request to me: we become friends.
#[utoipa::path(method(get, post), path = "/friend_request/agree", tag = "friend_request", params(IdQuery),
    security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn agree_request(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<IdQuery>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let id = required_id("id", query.id.as_deref())?;
    agree(state, auth, id).await
}

/// Agrees, then tells both people's sockets (`friendAdded`, API.md §7).
async fn agree(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: i64,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let view = use_cases::agree_friend_request(state.into_inner(), auth.id, id).await?;
    Ok(web::Json(view))
}

/// Agrees a request to me (the id in the path).
#[utoipa::path(method(get, post), path = "/friend_request/agree/{id}", tag = "friend_request",
    params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn agree_request_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let id = required_id("id", Some(path.as_str()))?;
    agree(state, auth, id).await
}

/// Rejects a request to me.
#[utoipa::path(method(get, post), path = "/friend_request/reject", tag = "friend_request", params(IdQuery),
    security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject_request(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<IdQuery>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let id = required_id("id", query.id.as_deref())?;
    Ok(web::Json(state.friend_requests.reject(auth.id, id).await?))
}

/// Rejects a request to me (the id in the path).
#[utoipa::path(method(get, post), path = "/friend_request/reject/{id}", tag = "friend_request",
    params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = FriendRequestView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject_request_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<FriendRequestView>, ApiError> {
    let id = required_id("id", Some(path.as_str()))?;
    Ok(web::Json(state.friend_requests.reject(auth.id, id).await?))
}
