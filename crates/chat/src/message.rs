//! A stored message and its kind: the shape every module shows messages in.
use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use user::UserSummary;
use utoipa::ToSchema;

/// What a message holds. Stored as 0, 1, 2 (`chat_history.type`); any other stored value is an
/// error when read, never taken for text (and the database refuses it, migration 9).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "i16", db_type = "SmallInteger")]
pub enum MessageKind {
    #[sea_orm(num_value = 0)]
    Text,
    #[sea_orm(num_value = 1)]
    Image,
    #[sea_orm(num_value = 2)]
    File,
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
