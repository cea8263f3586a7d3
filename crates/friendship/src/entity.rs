//! The `friendship` table: one row per direction, both written in one transaction.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "friendship")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub friend_id: i64,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

/// Both ends are `users` rows. `users` cannot see this table (the user crate is below this one),
/// so only this side is declared.
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
        belongs_to = "user::entity::Entity",
        from = "Column::FriendId",
        to = "user::entity::Column::Id",
        on_delete = "Cascade"
    )]
    Friend,
}

/// A friendship row's related user is the friend: the row is read from its owner's side.
impl Related<user::entity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Friend.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
