//! Creating rooms: `/chatroom/add`, `/chatroom/create-one-to-one`, `/chatroom/create-group`.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::limits::Limit;
use crate::routes::invalid;
use crate::state::AppState;
use crate::use_cases;
use ::chatroom::{GroupName, InitialMembers, RoomInfo};
use ::user::{FieldErrors, UserId};
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddRoomRequest {
    /// `direct` (with `friendId`) or `group` (with `name` and optional `memberIds`).
    #[serde(rename = "type")]
    #[schema(required = true, nullable = false, pattern = "^(direct|group)$")]
    kind: Option<String>,
    friend_id: Option<i64>,
    name: Option<String>,
    member_ids: Option<Vec<i64>>,
}

fn positive_id(id: i64) -> Result<UserId, String> {
    if id > 0 {
        Ok(UserId::new(id))
    } else {
        Err("must be a positive integer id".to_owned())
    }
}

async fn create_direct(
    state: &web::Data<AppState>,
    auth: AuthUser,
    friend: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let friend = friend
        .ok_or_else(|| "is required".to_owned())
        .and_then(positive_id)
        .map_err(|message| invalid("friendId", message))?;
    state
        .limits
        .check(Limit::RoomCreate, &auth.id.get().to_string())
        .await?;
    let (room, created) =
        use_cases::open_direct_room(state.clone().into_inner(), auth.id, friend).await?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(room))
}

async fn create_named_group(
    state: &web::Data<AppState>,
    auth: AuthUser,
    name: Option<&str>,
    member_ids: Option<Vec<i64>>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let name = errors.required("name", name, GroupName::parse);
    let ids = member_ids.unwrap_or_default();
    let members = errors.check("memberIds", InitialMembers::parse(&ids));
    let (name, members) = errors.done(name.zip(members))?;
    state
        .limits
        .check(Limit::RoomCreate, &auth.id.get().to_string())
        .await?;
    let room = use_cases::create_group(state.clone().into_inner(), auth.id, name, members).await?;
    Ok(HttpResponse::Created().json(room))
}

/// Creates a direct room with a friend (idempotent: 200 with the existing room) or a group.
#[utoipa::path(tag = "chatroom", request_body = AddRoomRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoomInfo), (status = 200, body = RoomInfo), (status = 400, body = ErrorBody)))]
#[post("/add")]
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
    #[schema(required = true, nullable = false, minimum = 1)]
    friend_id: Option<i64>,
}

/// The direct room with a friend, created on first use.
#[utoipa::path(tag = "chatroom", request_body = DirectRoomRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoomInfo), (status = 200, body = RoomInfo), (status = 400, body = ErrorBody)))]
#[post("/create-one-to-one")]
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
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 50,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*\\S[^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    name: Option<String>,
    /// Friends of yours to add at once.
    member_ids: Option<Vec<i64>>,
}

/// A group: you are its owner and first member.
#[utoipa::path(tag = "chatroom", request_body = GroupRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoomInfo), (status = 400, body = ErrorBody)))]
#[post("/create-group")]
pub async fn create_group(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<GroupRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    create_named_group(&state, auth, body.name.as_deref(), body.member_ids).await
}
