use crate::columns::{reference, table, with_times};
use crate::m20261126_000001_create_users::Users;
use sea_orm_migration::prelude::*;
use sea_query::Table;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Friendship {
    Table,
    UserId,
    FriendId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per direction, both written in one transaction: "my friends" is then a plain
        // lookup on the primary key prefix, and the key makes a duplicate pair impossible.
        let mut friendship = table(manager, Friendship::Table);
        friendship
            .col(reference(Friendship::UserId))
            .col(reference(Friendship::FriendId))
            .primary_key(
                Index::create()
                    .col(Friendship::UserId)
                    .col(Friendship::FriendId),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Friendship::Table, Friendship::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Friendship::Table, Friendship::FriendId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        with_times(manager, &mut friendship);
        manager.create_table(friendship).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Friendship::Table).to_owned())
            .await
    }
}
