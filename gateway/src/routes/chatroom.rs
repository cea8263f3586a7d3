//! `/chatroom`: create direct rooms and groups, list my rooms, room info and members, invite,
//! leave, find the direct room with a friend.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{FriendIdParam, Id, JsonBody, RoomIdParam};
use crate::routes::room_create::{add_room, create_group, create_one_to_one};
use crate::routes::{Left, chat, filter_and_page, page_of};
use crate::state::AppState;
use crate::use_cases;
use ::chat::RoomListItem;
use ::chatroom::RoomInfo;
use ::user::{FieldErrors, Page, UserSummary, Username};
use actix_web::{get, post, route, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn configure(cfg: &mut ServiceConfig) {
    // Fixed paths before `/{id}`, which would otherwise take them.
    cfg.service(
        scope("/chatroom")
            .service(list_rooms_at_root)
            .service(list_rooms)
            .service(add_room)
            .service(create_one_to_one)
            .service(create_group)
            .service(direct_room)
            .service(join_room_by_query)
            .service(exit_room_by_query)
            .service(room_info)
            .service(room_members)
            .service(join_room)
            .service(exit_room)
            .configure(chat::configure),
    );
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct RoomListQuery {
    /// Part of the shown name (a direct room shows the other person's nickname).
    #[param(max_length = 50, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    name: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000000)]
    page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

/// My rooms, most recent activity first, with unread counts and the last message.
#[utoipa::path(tag = "chatroom", params(RoomListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<RoomListItem>), (status = 400, body = ErrorBody)))]
#[get("/list")]
pub async fn list_rooms(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<RoomListQuery>,
) -> Result<web::Json<Page<RoomListItem>>, ApiError> {
    rooms(state, auth, query).await
}

async fn rooms(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<RoomListQuery>,
) -> Result<web::Json<Page<RoomListItem>>, ApiError> {
    let (name, page) = filter_and_page(
        query.name.as_deref(),
        query.page.as_deref(),
        query.page_size.as_deref(),
    )?;
    Ok(web::Json(
        state.chat.rooms(auth.id, name.as_ref(), page).await?,
    ))
}

/// My rooms, as `/chatroom/list` gives them (both paths are in the API).
#[utoipa::path(tag = "chatroom", params(RoomListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<RoomListItem>), (status = 400, body = ErrorBody)))]
#[get("")]
pub async fn list_rooms_at_root(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<RoomListQuery>,
) -> Result<web::Json<Page<RoomListItem>>, ApiError> {
    rooms(state, auth, query).await
}

/// The direct room with that friend, or 404.
#[utoipa::path(tag = "chatroom", params(("friendId" = i64, Query, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 404, body = ErrorBody)))]
#[get("/direct")]
pub async fn direct_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    friend: Id<FriendIdParam>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    let friend = friend.get();
    Ok(web::Json(
        state.chatrooms.direct_with(auth.id, friend).await?,
    ))
}

/// A room I am in.
#[utoipa::path(tag = "chatroom", params(("id" = i64, Path, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 404, body = ErrorBody)))]
#[get("/{id}")]
pub async fn room_info(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    Ok(web::Json(state.chatrooms.info(auth.id, room.get()).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct MembersQuery {
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000000)]
    page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

/// Members of a room I am in: owner first, then by join time.
#[utoipa::path(tag = "chatroom",
    params(("id" = i64, Path, minimum = 1), MembersQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<UserSummary>), (status = 404, body = ErrorBody)))]
#[get("/{id}/members")]
pub async fn room_members(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    query: web::Query<MembersQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    let page = page_of(query.page.as_deref(), query.page_size.as_deref())?;
    Ok(web::Json(
        state.chatrooms.members(auth.id, room.get(), page).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct JoinRequest {
    /// A friend of yours to add.
    #[schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: Option<String>,
}

async fn invite(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    username: Option<&str>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    let mut errors = FieldErrors::new();
    let username = errors.required("username", username, Username::parse);
    let username = errors.done(username)?;
    let info = use_cases::invite(state.into_inner(), auth.id, room.get(), username).await?;
    Ok(web::Json(info))
}

/// Adds a friend of mine to a group I am in.
#[utoipa::path(tag = "chatroom", params(("id" = i64, Path, minimum = 1)),
    request_body = JoinRequest, security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/{id}/join")]
pub async fn join_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    body: JsonBody<JoinRequest>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    invite(state, auth, room, body.0.username.as_deref()).await
}

#[derive(Deserialize, IntoParams)]
pub struct JoinQuery {
    #[param(required = true, nullable = false, pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: Option<String>,
}

/// Adds a friend of mine to a group I am in (the original design's GET form).
#[utoipa::path(tag = "chatroom", params(("id" = i64, Query, minimum = 1), JoinQuery),
    security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[route("/join", method = "GET", method = "POST")]
pub async fn join_room_by_query(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    query: web::Query<JoinQuery>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    invite(state, auth, room, query.username.as_deref()).await
}

async fn leave(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
) -> Result<web::Json<Left>, ApiError> {
    use_cases::leave_room(state.into_inner(), auth.id, room.get()).await?;
    Ok(web::Json(Left { left: true }))
}

/// Leaves a group (ownership passes to the longest-standing member).
#[utoipa::path(tag = "chatroom", params(("id" = i64, Path, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = Left), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/{id}/exit")]
pub async fn exit_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
) -> Result<web::Json<Left>, ApiError> {
    leave(state, auth, room).await
}

/// Leaves a group (the original design's GET form).
#[utoipa::path(tag = "chatroom", params(("id" = i64, Query, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = Left), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[route("/exit", method = "GET", method = "POST")]
pub async fn exit_room_by_query(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
) -> Result<web::Json<Left>, ApiError> {
    leave(state, auth, room).await
}
