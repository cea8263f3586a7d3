use crate::columns::{id, nocase_string, table, with_times};
use sea_orm_migration::prelude::*;
use sea_query::{ColumnDef, Table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    NickName,
    Email,
    HeadPic,
    TokenVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut users = table(manager, Users::Table);
        users
            .col(id(Users::Id))
            // Unique without regard to case, so "Alice" cannot impersonate "alice".
            .col(nocase_string(manager, Users::Username, 32).unique_key())
            .col(
                ColumnDef::new(Users::PasswordHash)
                    .string_len(100)
                    .not_null(),
            )
            .col(ColumnDef::new(Users::NickName).string_len(50).not_null())
            // Stored lower-case by the application; one account per address.
            .col(
                ColumnDef::new(Users::Email)
                    .string_len(254)
                    .not_null()
                    .unique_key(),
            )
            .col(
                ColumnDef::new(Users::HeadPic)
                    .string_len(1024)
                    .not_null()
                    .default(""),
            )
            // Bumped by a password change: tokens carrying an older version are refused.
            .col(
                ColumnDef::new(Users::TokenVersion)
                    .integer()
                    .not_null()
                    .default(0),
            );
        with_times(manager, &mut users);
        manager.create_table(users).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
