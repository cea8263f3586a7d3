//! The `chat_history` table.
use crate::message::MessageKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub chatroom_id: i64,
    /// The message's place in its room, assigned in the insert transaction.
    pub seq: i64,
    pub sender_id: i64,
    #[sea_orm(column_name = "type")]
    pub kind: MessageKind,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub client_id: String,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
