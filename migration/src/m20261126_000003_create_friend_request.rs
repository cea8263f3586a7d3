use crate::columns::{id, reference, table, with_times};
use crate::m20261126_000001_create_users::Users;
use sea_orm_migration::prelude::*;
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FriendRequest {
    Table,
    Id,
    FromUserId,
    ToUserId,
    Reason,
    Status,
    PendingKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut requests = table(manager, FriendRequest::Table);
        requests
            .col(id(FriendRequest::Id))
            .col(reference(FriendRequest::FromUserId))
            .col(reference(FriendRequest::ToUserId))
            .col(
                ColumnDef::new(FriendRequest::Reason)
                    .string_len(100)
                    .not_null()
                    .default(""),
            )
            // 0 pending, 1 agreed, 2 rejected.
            .col(
                ColumnDef::new(FriendRequest::Status)
                    .small_integer()
                    .not_null()
                    .default(0),
            )
            // "<smaller id>:<larger id>" while pending, NULL once decided. Neither backend has a
            // partial unique index in common, and NULLs never collide, so this unique column is
            // what allows at most one pending request per pair of people, whoever asked.
            .col(
                ColumnDef::new(FriendRequest::PendingKey)
                    .string_len(41)
                    .null()
                    .unique_key(),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(FriendRequest::Table, FriendRequest::FromUserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(FriendRequest::Table, FriendRequest::ToUserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        with_times(manager, &mut requests);
        manager.create_table(requests).await?;
        // "Requests to me" and "requests from me", newest first.
        for (name, column) in [
            ("idx_friend_request_to", FriendRequest::ToUserId),
            ("idx_friend_request_from", FriendRequest::FromUserId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(FriendRequest::Table)
                        .col(column)
                        .col(FriendRequest::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FriendRequest::Table).to_owned())
            .await
    }
}
