//! The `friend_request` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "friend_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub from_user_id: i64,
    pub to_user_id: i64,
    pub reason: String,
    pub status: crate::types::RequestStatus,
    /// `"<smaller id>:<larger id>"` while pending, `None` once decided: unique, so one pending
    /// request per pair of people, whichever of them asked.
    pub pending_key: Option<String>,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

/// Both ends are `users` rows; declared on this side only (the user crate cannot see this one).
/// With two ways to `users` there is no `Related<users>`: a query names `From` or `To`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "user::entity::Entity",
        from = "Column::FromUserId",
        to = "user::entity::Column::Id",
        on_delete = "Cascade"
    )]
    From,
    #[sea_orm(
        belongs_to = "user::entity::Entity",
        from = "Column::ToUserId",
        to = "user::entity::Column::Id",
        on_delete = "Cascade"
    )]
    To,
}

impl ActiveModelBehavior for ActiveModel {}
