//! The one schema history of the chat service, run on SQLite and on MySQL/MariaDB.
//! One change per file; an applied file is never edited, a new one is added instead.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261126_000001_create_users;
mod m20261126_000002_create_friendship;
mod m20261126_000003_create_friend_request;
mod m20261126_000004_create_chatroom;
mod m20261126_000005_create_user_chatroom;
mod m20261126_000006_create_chat_history;
mod m20261126_000007_create_favorite;
mod m20261127_000008_chatroom_last_message;
mod m20261127_000009_invariants;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_users::Migration),
            Box::new(m20261126_000002_create_friendship::Migration),
            Box::new(m20261126_000003_create_friend_request::Migration),
            Box::new(m20261126_000004_create_chatroom::Migration),
            Box::new(m20261126_000005_create_user_chatroom::Migration),
            Box::new(m20261126_000006_create_chat_history::Migration),
            Box::new(m20261126_000007_create_favorite::Migration),
            Box::new(m20261127_000008_chatroom_last_message::Migration),
            Box::new(m20261127_000009_invariants::Migration),
        ]
    }
}

/// Connects the way every part of the service does. On SQLite: one connection (SQLite runs one
/// writer at a time anyway, and a single connection never meets `SQLITE_BUSY` when two
/// transactions race), write-ahead logging with `synchronous=NORMAL`, foreign keys on (sqlx's
/// default).
pub async fn connect(url: &str) -> Result<sea_orm::DatabaseConnection, DbErr> {
    connect_sized(url, None).await
}

/// How long a pooled connection may sit idle before it is checked on its way out of the pool.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Like `connect`, with a pool of at most `max_connections` on a server database.
pub async fn connect_sized(
    url: &str,
    max_connections: Option<u32>,
) -> Result<sea_orm::DatabaseConnection, DbErr> {
    use sea_orm::{ConnectOptions, Database};
    let sqlite = url.starts_with("sqlite:");
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .acquire_timeout(std::time::Duration::from_secs(10))
        // A connection used in the last second is not pinged as it is taken from the pool (a
        // round trip per query or transaction under load); one idle longer, which a server
        // restart or a proxy may have dropped, still is (HikariCP's rule, with 0.5 s there).
        .test_before_acquire_if_idle_for(STALE_AFTER);
    if let (Some(max), false) = (max_connections, sqlite) {
        options.max_connections(max).min_connections(1);
    }
    if sqlite {
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        options.max_connections(1).min_connections(1);
        // Set on every connection the pool opens, not once. NORMAL is the usual pairing with
        // WAL: no corruption on a crash, and a commit does not wait for an fsync (a power cut
        // may lose the last moments, not the database).
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        });
    }
    Database::connect(options).await
}
