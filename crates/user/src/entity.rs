//! The `users` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub nick_name: String,
    pub email: String,
    pub head_pic: String,
    pub token_version: i32,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

/// None declared here: every table that points at `users` belongs to a crate that depends on this
/// one, so each declares its `belongs_to` on its own side (a `has_many` here would be a cycle).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
