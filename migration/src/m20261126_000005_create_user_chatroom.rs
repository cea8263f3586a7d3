use crate::columns::{precise_time, reference, table, with_times};
use crate::m20261126_000001_create_users::Users;
use crate::m20261126_000004_create_chatroom::Chatroom;
use sea_orm_migration::prelude::*;
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserChatroom {
    Table,
    UserId,
    ChatroomId,
    LastReadSeq,
    JoinedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut membership = table(manager, UserChatroom::Table);
        membership
            .col(reference(UserChatroom::UserId))
            .col(reference(UserChatroom::ChatroomId))
            // Unread = messages from others with a seq above this marker.
            .col(
                ColumnDef::new(UserChatroom::LastReadSeq)
                    .big_integer()
                    .not_null()
                    .default(0),
            )
            // Microseconds: join order decides the members list and who inherits ownership.
            .col(precise_time(manager, UserChatroom::JoinedAt))
            .primary_key(
                Index::create()
                    .col(UserChatroom::UserId)
                    .col(UserChatroom::ChatroomId),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(UserChatroom::Table, UserChatroom::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(UserChatroom::Table, UserChatroom::ChatroomId)
                    .to(Chatroom::Table, Chatroom::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        with_times(manager, &mut membership);
        manager.create_table(membership).await?;
        // Members of a room (the primary key serves "rooms of a user").
        manager
            .create_index(
                Index::create()
                    .name("idx_user_chatroom_chatroom")
                    .table(UserChatroom::Table)
                    .col(UserChatroom::ChatroomId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserChatroom::Table).to_owned())
            .await
    }
}
