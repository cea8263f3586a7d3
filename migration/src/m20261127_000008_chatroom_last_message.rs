//! `chatroom.last_message_id`: the room's newest message, written with `last_seq` in the same
//! statement. The room list orders by it and finds each last message by it, reading only room
//! rows; no other module needs to look into `chat_history` for that.
use crate::m20261126_000004_create_chatroom::Chatroom;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKFILL_CHUNK: i64 = 1000;

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
        // A thousand rooms per statement: gateways of the previous version keep storing messages
        // during a rolling upgrade, and one statement over every room would hold all their locks.
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        let newest = conn
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COALESCE(MAX(id), 0) AS id FROM chatroom",
            ))
            .await?;
        let newest: i64 = match newest {
            Some(row) => row.try_get("", "id")?,
            None => 0,
        };
        let mut from = 0;
        while from < newest {
            let to = from.saturating_add(BACKFILL_CHUNK);
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE chatroom SET last_message_id = (SELECT h.id FROM chat_history h \
                 WHERE h.chatroom_id = chatroom.id AND h.seq = chatroom.last_seq) \
                 WHERE id > ? AND id <= ?",
                [from.into(), to.into()],
            ))
            .await?;
            from = to;
        }
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
