use crate::columns::{exact_ascii, id, reference, table, with_times};
use crate::m20261126_000001_create_users::Users;
use crate::m20261126_000004_create_chatroom::Chatroom;
use sea_orm_migration::prelude::*;
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ChatHistory {
    Table,
    Id,
    ChatroomId,
    Seq,
    SenderId,
    Type,
    Content,
    ClientId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut history = table(manager, ChatHistory::Table);
        history
            .col(id(ChatHistory::Id))
            .col(reference(ChatHistory::ChatroomId))
            .col(ColumnDef::new(ChatHistory::Seq).big_integer().not_null())
            .col(reference(ChatHistory::SenderId))
            // 0 text, 1 image, 2 file.
            .col(ColumnDef::new(ChatHistory::Type).small_integer().not_null())
            .col(ColumnDef::new(ChatHistory::Content).text().not_null())
            // `abc` and `ABC` are two client ids, on MySQL as on SQLite.
            .col(exact_ascii(manager, ChatHistory::ClientId, 64))
            .foreign_key(
                ForeignKey::create()
                    .from(ChatHistory::Table, ChatHistory::ChatroomId)
                    .to(Chatroom::Table, Chatroom::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(ChatHistory::Table, ChatHistory::SenderId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        with_times(manager, &mut history);
        manager.create_table(history).await?;
        // The room's order: one message per seq, and the index every history page walks.
        manager
            .create_index(
                Index::create()
                    .name("uq_chat_history_room_seq")
                    .table(ChatHistory::Table)
                    .col(ChatHistory::ChatroomId)
                    .col(ChatHistory::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Idempotent sends: a client's retry with the same id finds the stored message.
        manager
            .create_index(
                Index::create()
                    .name("uq_chat_history_sender_client")
                    .table(ChatHistory::Table)
                    .col(ChatHistory::SenderId)
                    .col(ChatHistory::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChatHistory::Table).to_owned())
            .await
    }
}
