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

/// `favorite` points here too, but the favorite crate depends on this one: that relation is
/// declared there only. `chatroom` cannot see this table either, so `Chatroom` is one-sided.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "chatroom::entity::chatroom::Entity",
        from = "Column::ChatroomId",
        to = "chatroom::entity::chatroom::Column::Id",
        on_delete = "Cascade"
    )]
    Chatroom,
    #[sea_orm(
        belongs_to = "user::entity::Entity",
        from = "Column::SenderId",
        to = "user::entity::Column::Id",
        on_delete = "Cascade"
    )]
    Sender,
}

impl Related<chatroom::entity::chatroom::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Chatroom.def()
    }
}

impl Related<user::entity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sender.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
