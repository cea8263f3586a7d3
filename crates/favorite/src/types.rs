//! What the favorite routes answer.
use chat::ChatMessage;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A kept message: `{id, chatHistoryId, createTime}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Favorite {
    pub id: i64,
    pub chat_history_id: i64,
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
}

/// The room a kept message was said in, named as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FavoriteRoom {
    pub id: i64,
    pub name: String,
}

/// A favorite in the list: when it was kept, the message with its sender, and its room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FavoriteItem {
    pub id: i64,
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
    pub message: ChatMessage,
    pub chatroom: FavoriteRoom,
}

/// The result of adding: the favorite, and whether this call created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub favorite: Favorite,
    pub created: bool,
}
