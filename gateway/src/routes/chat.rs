//! `/chatroom/{id}/messages` and `/chatroom/{id}/read`: history, sending over HTTP, read marker.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Id, JsonBody, RoomIdParam};
use crate::limits::Limit;
use crate::routes::invalid;
use crate::state::AppState;
use ::chat::{ChatMessage, ClientId, History, HistoryCursor, MessageBody, MessageKind};
use ::chatroom::Seq;
use ::user::FieldErrors;
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registered inside the `/chatroom` scope.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_messages)
        .service(post_message)
        .service(mark_read);
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct HistoryQuery {
    /// Messages with a seq below this (older); without any cursor, the newest page.
    #[param(value_type = Option<i64>, minimum = 0)]
    before_seq: Option<String>,
    /// Messages with a seq above this (newer), oldest first.
    #[param(value_type = Option<i64>, minimum = 0)]
    after_seq: Option<String>,
    /// 1–100, default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// A page of a room's history, ascending by seq.
#[utoipa::path(tag = "chat",
    params(("id" = i64, Path, minimum = 1), HistoryQuery), security(("bearer" = [])),
    responses((status = 200, body = History), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/{id}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    query: web::Query<HistoryQuery>,
) -> Result<web::Json<History>, ApiError> {
    let room = room.get();
    let cursor = HistoryCursor::parse(
        query.before_seq.as_deref(),
        query.after_seq.as_deref(),
        query.limit.as_deref(),
    )?;
    Ok(web::Json(state.chat.history(auth.id, room, cursor).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostMessageRequest {
    /// Your id for this message (1–64 of `[A-Za-z0-9_-]`); a repeat returns the first message.
    #[schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_-]{1,64}$")]
    client_id: Option<String>,
    #[serde(rename = "type")]
    #[schema(required = true, nullable = false)]
    kind: Option<MessageKind>,
    /// Text, or for image/file the `url` from `/storage/presign`.
    #[schema(required = true, nullable = false)]
    content: Option<String>,
}

/// Sends a message (201; 200 with the stored message when the clientId was used before).
#[utoipa::path(tag = "chat", params(("id" = i64, Path, minimum = 1)),
    request_body = PostMessageRequest, security(("bearer" = [])),
    responses((status = 201, body = ChatMessage), (status = 200, body = ChatMessage),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/{id}/messages")]
pub async fn post_message(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    body: JsonBody<PostMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .limits
        .check(Limit::HttpSend, &auth.id.get().to_string())
        .await?;
    let room = room.get();
    let body = body.0;
    let mut errors = FieldErrors::new();
    let client_id = errors.required("clientId", body.client_id.as_deref(), ClientId::parse);
    let kind = errors.check("type", body.kind.ok_or_else(|| "is required".to_owned()));
    let content = body.content.as_deref();
    let message = kind.and_then(|kind| {
        errors.required("content", content, |raw| {
            MessageBody::parse(kind, raw, &state.attachment_prefix())
        })
    });
    let (client_id, message) = errors.done(client_id.zip(message))?;
    // The write pipeline stores and publishes: a client that hangs up once the send is queued
    // cannot cancel either.
    let posted = state
        .chat
        .post_message(auth.id, room, &client_id, &message)
        .await?;
    let mut response = if posted.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(&posted.message))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadRequest {
    /// The seq read up to.
    #[schema(required = true, nullable = false, minimum = 0)]
    seq: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    chatroom_id: i64,
    /// The marker after the call (it never moves back or past the newest message).
    last_read_seq: i64,
}

/// Moves my read marker forward.
#[utoipa::path(tag = "chat", params(("id" = i64, Path, minimum = 1)),
    request_body = ReadRequest, security(("bearer" = [])),
    responses((status = 200, body = ReadMarker), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: AuthUser,
    room: Id<RoomIdParam>,
    body: JsonBody<ReadRequest>,
) -> Result<web::Json<ReadMarker>, ApiError> {
    let room = room.get();
    let seq = body
        .0
        .seq
        .ok_or_else(|| Seq::RULE.to_owned())
        .and_then(Seq::parse)
        .map_err(|message| invalid("seq", message))?;
    let last_read_seq = state.chatrooms.mark_read(auth.id, room, seq).await?;
    Ok(web::Json(ReadMarker {
        chatroom_id: room.get(),
        last_read_seq: last_read_seq.get(),
    }))
}
