use crate::columns::{id, table, with_times};
use crate::m20261126_000001_create_users::Users;
use sea_orm_migration::prelude::*;
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Chatroom {
    Table,
    Id,
    Name,
    Type,
    OwnerId,
    LastSeq,
    DirectKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut chatroom = table(manager, Chatroom::Table);
        chatroom
            .col(id(Chatroom::Id))
            .col(
                ColumnDef::new(Chatroom::Name)
                    .string_len(50)
                    .not_null()
                    .default(""),
            )
            // "direct" or "group".
            .col(ColumnDef::new(Chatroom::Type).string_len(8).not_null())
            // NULL for direct rooms, and for a group whose last member left (its history stays).
            .col(ColumnDef::new(Chatroom::OwnerId).big_integer().null())
            // The seq of the newest message; bumped in the same transaction as the insert.
            .col(
                ColumnDef::new(Chatroom::LastSeq)
                    .big_integer()
                    .not_null()
                    .default(0),
            )
            // "min:max" of the two user ids for a direct room, NULL for groups: one direct room
            // per pair, even when both sides create it at the same moment.
            .col(
                ColumnDef::new(Chatroom::DirectKey)
                    .string_len(41)
                    .null()
                    .unique_key(),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Chatroom::Table, Chatroom::OwnerId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::SetNull),
            );
        with_times(manager, &mut chatroom);
        manager.create_table(chatroom).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Chatroom::Table).to_owned())
            .await
    }
}
