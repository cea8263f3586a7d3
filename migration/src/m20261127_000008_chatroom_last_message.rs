//! `chatroom.last_message_id`: the room's newest message, written with `last_seq` in the same
//! statement. The room list orders by it and finds each last message by it, reading only room
//! rows; no other module needs to look into `chat_history` for that.
use crate::m20261126_000004_create_chatroom::Chatroom;
use sea_orm_migration::prelude::*;
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Added {
    LastMessageId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign key: `chat_history` already points at `chatroom`, and the id is only ever
        // set by the transaction that inserts that message.
        manager
            .alter_table(
                Table::alter()
                    .table(Chatroom::Table)
                    .add_column(ColumnDef::new(Added::LastMessageId).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE chatroom SET last_message_id = (SELECT h.id FROM chat_history h \
                 WHERE h.chatroom_id = chatroom.id AND h.seq = chatroom.last_seq)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Chatroom::Table)
                    .drop_column(Added::LastMessageId)
                    .to_owned(),
            )
            .await
    }
}
