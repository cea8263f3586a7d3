//! `/chatroom`: create direct rooms and groups, list my rooms, room info and members, invite,
//! leave, find the direct room with a friend.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::routes::{Left, chat, detached, invalid, required_id};
use crate::state::AppState;
use ::chatroom::{GroupName, RoomInfo, RoomListItem};
use ::user::{FieldErrors, Page, SearchText, UserId, UserSummary, Username};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Fixed paths before `/{id}`, which would otherwise take them.
    cfg.service(
        web::scope("/chatroom")
            .service(web::resource("").get(list_rooms))
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

const MAX_INITIAL_MEMBERS: usize = 200;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddRoomRequest {
    /// `direct` (with `friendId`) or `group` (with `name` and optional `memberIds`).
    #[serde(rename = "type")]
    #[schema(required = true)]
    kind: Option<String>,
    friend_id: Option<i64>,
    name: Option<String>,
    member_ids: Option<Vec<i64>>,
}

fn positive_id(id: i64) -> Result<UserId, String> {
    if id > 0 {
        Ok(UserId(id))
    } else {
        Err("must be a positive integer id".to_owned())
    }
}

async fn create_direct(
    state: &AppState,
    auth: AuthUser,
    friend: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let friend = friend
        .ok_or_else(|| "is required".to_owned())
        .and_then(positive_id)
        .map_err(|message| invalid("friendId", message))?;
    let (room, created) = state.chatrooms.create_direct(auth.id, friend).await?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(room))
}

async fn create_named_group(
    state: &AppState,
    auth: AuthUser,
    name: Option<&str>,
    member_ids: Option<Vec<i64>>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let name = errors.required("name", name, GroupName::parse);
    let ids = member_ids.unwrap_or_default();
    let members = errors.check(
        "memberIds",
        if ids.len() > MAX_INITIAL_MEMBERS {
            Err(format!("at most {MAX_INITIAL_MEMBERS} members"))
        } else {
            ids.into_iter()
                .map(positive_id)
                .collect::<Result<Vec<_>, _>>()
        },
    );
    let (name, members) = errors.done(name.zip(members))?;
    let room = state.chatrooms.create_group(auth.id, name, members).await?;
    Ok(HttpResponse::Created().json(room))
}

/// Creates a direct room with a friend (idempotent: 200 with the existing room) or a group.
#[utoipa::path(post, path = "/chatroom/add", tag = "chatroom", request_body = AddRoomRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoomInfo), (status = 200, body = RoomInfo), (status = 400, body = ErrorBody)))]
pub async fn add_room(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<AddRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    match body.kind.as_deref() {
        Some("direct") => create_direct(&state, auth, body.friend_id).await,
        Some("group") => {
            create_named_group(&state, auth, body.name.as_deref(), body.member_ids).await
        }
        _ => Err(invalid("type", "must be \"direct\" or \"group\"")),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirectRoomRequest {
    #[schema(required = true)]
    friend_id: Option<i64>,
}

/// The direct room with a friend, created on first use.
#[utoipa::path(post, path = "/chatroom/create-one-to-one", tag = "chatroom", request_body = DirectRoomRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoomInfo), (status = 200, body = RoomInfo), (status = 400, body = ErrorBody)))]
pub async fn create_one_to_one(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<DirectRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    create_direct(&state, auth, body.0.friend_id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupRequest {
    #[schema(required = true)]
    name: Option<String>,
    /// Friends of yours to add at once.
    member_ids: Option<Vec<i64>>,
}

/// A group: you are its owner and first member.
#[utoipa::path(post, path = "/chatroom/create-group", tag = "chatroom", request_body = GroupRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoomInfo), (status = 400, body = ErrorBody)))]
pub async fn create_group(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<GroupRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    create_named_group(&state, auth, body.name.as_deref(), body.member_ids).await
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct RoomListQuery {
    /// Part of the shown name (a direct room shows the other person's nickname).
    name: Option<String>,
    page: Option<String>,
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
    let mut errors = FieldErrors::new();
    let name = query.name.as_deref().filter(|raw| !raw.trim().is_empty());
    let name = errors.optional("name", name, SearchText::parse);
    let page = errors.page(query.page.as_deref(), query.page_size.as_deref());
    errors.done(Some(()))?;
    Ok(web::Json(
        state.chatrooms.list(auth.id, name.as_ref(), page).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct FriendQuery {
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
#[utoipa::path(get, path = "/chatroom/{id}", tag = "chatroom", params(("id" = i64, Path)),
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
    page: Option<String>,
    page_size: Option<String>,
}

/// Members of a room I am in: owner first, then by join time.
#[utoipa::path(get, path = "/chatroom/{id}/members", tag = "chatroom",
    params(("id" = i64, Path), MembersQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<UserSummary>), (status = 404, body = ErrorBody)))]
pub async fn room_members(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
    query: web::Query<MembersQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    let room = required_id("id", Some(path.as_str()))?;
    let mut errors = FieldErrors::new();
    let page = errors.page(query.page.as_deref(), query.page_size.as_deref());
    errors.done(Some(()))?;
    Ok(web::Json(
        state.chatrooms.members(auth.id, room, page).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct JoinRequest {
    /// A friend of yours to add.
    #[schema(required = true)]
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
    let worker = state.into_inner();
    let info = detached(async move {
        let (info, added) = worker.chatrooms.invite(auth.id, room, &username).await?;
        worker.publish_member_added(room, added).await;
        Ok(info)
    })
    .await?;
    Ok(web::Json(info))
}

/// Adds a friend of mine to a group I am in.
#[utoipa::path(post, path = "/chatroom/{id}/join", tag = "chatroom", params(("id" = i64, Path)),
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
    id: Option<String>,
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
    let worker = state.into_inner();
    detached(async move {
        worker.chatrooms.exit(auth.id, room).await?;
        worker.publish_member_left(room, auth.id).await;
        Ok(())
    })
    .await?;
    Ok(web::Json(Left { left: true }))
}

/// Leaves a group (ownership passes to the longest-standing member).
#[utoipa::path(post, path = "/chatroom/{id}/exit", tag = "chatroom", params(("id" = i64, Path)),
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
