//! The `favorite` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "favorite")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub chat_history_id: i64,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

/// Declared on this side only: the user and chat crates are below this one.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "user::entity::Entity",
        from = "Column::UserId",
        to = "user::entity::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(
        belongs_to = "chat::entity::Entity",
        from = "Column::ChatHistoryId",
        to = "chat::entity::Column::Id",
        on_delete = "Cascade"
    )]
    ChatHistory,
}

impl Related<user::entity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<chat::entity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ChatHistory.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
