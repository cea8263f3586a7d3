//! `/friendship`: send a request (`add`), list friends, remove a friend.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{FriendIdParam, Id, JsonBody};
use crate::limits::Limit;
use crate::routes::{Deleted, filter_and_page};
use crate::state::AppState;
use crate::use_cases;
use actix_web::{HttpResponse, delete, get, post, web};
use friend_request::{FriendRequestView, Reason, SendOutcome};
use serde::Deserialize;
use user::{FieldErrors, Page, UserSummary, Username};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/friendship")
            .service(add_friend)
            .service(list_friends)
            .service(delete_friend)
            .service(delete_friend_by_path),
    );
}

#[derive(Deserialize, ToSchema)]
pub struct AddFriendRequest {
    /// Who to ask.
    #[schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: Option<String>,
    /// Why (at most 100 characters).
    reason: Option<String>,
}

/// Sends a friend request; if that user already asked you, their request is agreed instead
/// (200 with it, status 1).
#[utoipa::path(tag = "friendship", request_body = AddFriendRequest,
    security(("bearer" = [])),
    responses((status = 201, body = FriendRequestView), (status = 200, body = FriendRequestView),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/add")]
pub async fn add_friend(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<AddFriendRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = auth.id.get().to_string();
    state.limits.check(Limit::FriendRequest, &who).await?;
    let mut errors = FieldErrors::new();
    let username = errors.required("username", body.0.username.as_deref(), Username::parse);
    let reason = errors.optional("reason", body.0.reason.as_deref(), Reason::parse);
    let username = errors.done(username)?;
    let reason = reason.unwrap_or_else(Reason::empty);
    // The other person's sockets hear of it at once (API.md §7).
    let outcome =
        use_cases::request_friendship(state.into_inner(), auth.id, username, reason).await?;
    Ok(match outcome {
        SendOutcome::Sent(request) => HttpResponse::Created().json(request),
        SendOutcome::AgreedTheirs(request) => HttpResponse::Ok().json(request),
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct FriendListQuery {
    /// Part of a friend's username or nickname (case-insensitive; `%` and `_` are literal).
    #[param(max_length = 50, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    name: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000000)]
    page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

/// My friends, ordered by nickname.
#[utoipa::path(tag = "friendship", params(FriendListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<UserSummary>), (status = 400, body = ErrorBody)))]
#[get("/list")]
pub async fn list_friends(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<FriendListQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    let (name, page) = filter_and_page(
        query.name.as_deref(),
        query.page.as_deref(),
        query.page_size.as_deref(),
    )?;
    let friends = state.friendships.list(auth.id, name.as_ref(), page).await?;
    Ok(web::Json(friends))
}

/// Ends a friendship, both ways.
#[utoipa::path(tag = "friendship", params(("friendId" = i64, Query, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/delete")]
pub async fn delete_friend(
    state: web::Data<AppState>,
    auth: AuthUser,
    friend: Id<FriendIdParam>,
) -> Result<web::Json<Deleted>, ApiError> {
    remove(state, auth, friend).await
}

/// Ends a friendship, both ways (the id in the path).
#[utoipa::path(tag = "friendship",
    params(("friendId" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/{friendId}")]
pub async fn delete_friend_by_path(
    state: web::Data<AppState>,
    auth: AuthUser,
    friend: Id<FriendIdParam>,
) -> Result<web::Json<Deleted>, ApiError> {
    remove(state, auth, friend).await
}

async fn remove(
    state: web::Data<AppState>,
    auth: AuthUser,
    friend: Id<FriendIdParam>,
) -> Result<web::Json<Deleted>, ApiError> {
    let friend = friend.get();
    // Both people's sockets hear of it, each naming the other (API.md §7).
    use_cases::remove_friend(state.into_inner(), auth.id, friend).await?;
    Ok(web::Json(Deleted { deleted: true }))
}
