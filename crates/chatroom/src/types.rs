//! Room and message shapes.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use user::UserSummary;
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoomKind {
    Direct,
    Group,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Direct => "direct",
            RoomKind::Group => "group",
        }
    }

    pub fn from_db(raw: &str) -> Self {
        if raw == "direct" {
            RoomKind::Direct
        } else {
            RoomKind::Group
        }
    }
}

/// A group's name: 1–50 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        user::trimmed_text(raw, 1, 50).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `GET /chatroom/{id}`: a direct room is named after the other person, as the caller sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomInfo {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: RoomKind,
    pub owner_id: Option<i64>,
    pub user_count: u64,
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
}

/// A row of my room list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomListItem {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: RoomKind,
    pub user_count: u64,
    pub last_message: Option<ChatMessage>,
    pub unread_count: u64,
    /// The time of the last activity: the newest message, or the room's creation.
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub update_time: DateTime<Utc>,
}

/// `{id, name}` of a room, as favorites show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RoomSummary {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Text,
    Image,
    File,
}

impl MessageKind {
    pub fn to_db(self) -> i16 {
        match self {
            MessageKind::Text => 0,
            MessageKind::Image => 1,
            MessageKind::File => 2,
        }
    }

    pub fn from_db(raw: i16) -> Self {
        match raw {
            1 => MessageKind::Image,
            2 => MessageKind::File,
            _ => MessageKind::Text,
        }
    }
}

/// A stored message: its place in the room (`seq`) and its sender as others see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: i64,
    pub chatroom_id: i64,
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: MessageKind,
    pub content: String,
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
    pub sender: UserSummary,
    pub client_id: String,
}
