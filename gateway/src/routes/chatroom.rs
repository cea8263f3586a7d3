//! `/chatroom`: create direct rooms and groups, list my rooms, room info and members, invite,
//! leave, find the direct room with a friend.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::routes::room_create::{add_room, create_group, create_one_to_one};
use crate::routes::{Left, chat, filter_and_page, page_of, required_id};
use crate::state::AppState;
use crate::use_cases;
use ::chat::RoomListItem;
use ::chatroom::RoomInfo;
use ::user::{FieldErrors, Page, UserId, UserSummary, Username};
use actix_web::web;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Fixed paths before `/{id}`, which would otherwise take them.
    cfg.service(
        web::scope("/chatroom")
            .service(web::resource("").get(list_rooms_at_root))
            .service(web::resource("/list").get(list_rooms))
            .service(web::resource("/add").post(add_room))
            .service(web::resource("/create-one-to-one").post(create_one_to_one))
            .service(web::resource("/create-group").post(create_group))
            .service(web::resource("/direct").get(direct_room))
            .service(
                web::resource("/join")
                    .get(join_room_by_query)
                    .post(join_room_by_query),
            )
            .service(
                web::resource("/exit")
                    .get(exit_room_by_query)
                    .post(exit_room_by_query),
            )
            .service(web::resource("/{id}").get(room_info))
            .service(web::resource("/{id}/members").get(room_members))
            .service(web::resource("/{id}/join").post(join_room))
            .service(web::resource("/{id}/exit").post(exit_room))
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
#[utoipa::path(get, path = "/chatroom/list", tag = "chatroom", params(RoomListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<RoomListItem>), (status = 400, body = ErrorBody)))]
pub async fn list_rooms(
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
#[utoipa::path(get, path = "/chatroom", tag = "chatroom", params(RoomListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<RoomListItem>), (status = 400, body = ErrorBody)))]
pub async fn list_rooms_at_root(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<RoomListQuery>,
) -> Result<web::Json<Page<RoomListItem>>, ApiError> {
    list_rooms(state, auth, query).await
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct FriendQuery {
    #[param(required = true, value_type = i64, minimum = 1)]
    friend_id: Option<String>,
}

/// The direct room with that friend, or 404.
#[utoipa::path(get, path = "/chatroom/direct", tag = "chatroom", params(FriendQuery),
    security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 404, body = ErrorBody)))]
pub async fn direct_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<FriendQuery>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    let friend = UserId(required_id("friendId", query.friend_id.as_deref())?);
    Ok(web::Json(
        state.chatrooms.direct_with(auth.id, friend).await?,
    ))
}

/// A room I am in.
#[utoipa::path(get, path = "/chatroom/{id}", tag = "chatroom", params(("id" = i64, Path, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 404, body = ErrorBody)))]
pub async fn room_info(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    let room = required_id("id", Some(path.as_str()))?;
    Ok(web::Json(state.chatrooms.info(auth.id, room).await?))
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
#[utoipa::path(get, path = "/chatroom/{id}/members", tag = "chatroom",
    params(("id" = i64, Path, minimum = 1), MembersQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<UserSummary>), (status = 404, body = ErrorBody)))]
pub async fn room_members(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
    query: web::Query<MembersQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    let room = required_id("id", Some(path.as_str()))?;
    let page = page_of(query.page.as_deref(), query.page_size.as_deref())?;
    Ok(web::Json(
        state.chatrooms.members(auth.id, room, page).await?,
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
    room: Option<&str>,
    username: Option<&str>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    let room = required_id("id", room)?;
    let mut errors = FieldErrors::new();
    let username = errors.required("username", username, Username::parse);
    let username = errors.done(username)?;
    let info = use_cases::invite(state.into_inner(), auth.id, room, username).await?;
    Ok(web::Json(info))
}

/// Adds a friend of mine to a group I am in.
#[utoipa::path(post, path = "/chatroom/{id}/join", tag = "chatroom", params(("id" = i64, Path, minimum = 1)),
    request_body = JoinRequest, security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn join_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
    body: JsonBody<JoinRequest>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    invite(state, auth, Some(path.as_str()), body.0.username.as_deref()).await
}

#[derive(Deserialize, IntoParams)]
pub struct JoinQuery {
    #[param(required = true, value_type = i64, minimum = 1)]
    id: Option<String>,
    #[param(required = true, nullable = false, pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: Option<String>,
}

/// Adds a friend of mine to a group I am in (the original design's GET form).
#[utoipa::path(method(get, post), path = "/chatroom/join", tag = "chatroom", params(JoinQuery),
    security(("bearer" = [])),
    responses((status = 200, body = RoomInfo), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn join_room_by_query(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<JoinQuery>,
) -> Result<web::Json<RoomInfo>, ApiError> {
    invite(state, auth, query.id.as_deref(), query.username.as_deref()).await
}

async fn leave(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Option<&str>,
) -> Result<web::Json<Left>, ApiError> {
    let room = required_id("id", room)?;
    use_cases::leave_room(state.into_inner(), auth.id, room).await?;
    Ok(web::Json(Left { left: true }))
}

/// Leaves a group (ownership passes to the longest-standing member).
#[utoipa::path(post, path = "/chatroom/{id}/exit", tag = "chatroom", params(("id" = i64, Path, minimum = 1)),
    security(("bearer" = [])),
    responses((status = 200, body = Left), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn exit_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<Left>, ApiError> {
    leave(state, auth, Some(path.as_str())).await
}

#[derive(Deserialize, IntoParams)]
pub struct RoomQuery {
    #[param(required = true, value_type = i64, minimum = 1)]
    id: Option<String>,
}

/// Leaves a group (the original design's GET form).
#[utoipa::path(method(get, post), path = "/chatroom/exit", tag = "chatroom", params(RoomQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Left), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn exit_room_by_query(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<RoomQuery>,
) -> Result<web::Json<Left>, ApiError> {
    leave(state, auth, query.id.as_deref()).await
}
