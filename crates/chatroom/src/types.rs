//! Room shapes.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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

/// `{id, name}` of a room, as favorites show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RoomSummary {
    pub id: i64,
    pub name: String,
}
