use crate::columns::{id, reference, table, with_times};
use crate::m20261126_000001_create_users::Users;
use crate::m20261126_000006_create_chat_history::ChatHistory;
use sea_orm_migration::prelude::*;
use sea_query::Table;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Favorite {
    Table,
    Id,
    UserId,
    ChatHistoryId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut favorite = table(manager, Favorite::Table);
        favorite
            .col(id(Favorite::Id))
            .col(reference(Favorite::UserId))
            .col(reference(Favorite::ChatHistoryId))
            .foreign_key(
                ForeignKey::create()
                    .from(Favorite::Table, Favorite::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Favorite::Table, Favorite::ChatHistoryId)
                    .to(ChatHistory::Table, ChatHistory::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        with_times(manager, &mut favorite);
        manager.create_table(favorite).await?;
        // Adding a favorite twice is idempotent: the second insert hits this key.
        manager
            .create_index(
                Index::create()
                    .name("uq_favorite_user_message")
                    .table(Favorite::Table)
                    .col(Favorite::UserId)
                    .col(Favorite::ChatHistoryId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Favorite::Table).to_owned())
            .await
    }
}
