//! A stored message and its kind: the shape every module shows messages in.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use user::UserSummary;
use utoipa::ToSchema;

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
