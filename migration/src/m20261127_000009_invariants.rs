//! What the database itself holds true, whatever writes to it: kinds and statuses among their
//! values, seqs and read markers never negative, a friend request pending exactly while it has
//! its pending key. MySQL/MariaDB get CHECK constraints; SQLite
//! cannot add one to a table it has, so it gets triggers that refuse the same rows. A database
//! that already holds a row breaking one of them does not migrate, and the error names it.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, name, condition over the row's columns). Nobody being their own friend, or sending
/// themselves a request, is left to the services: MySQL 8 refuses a CHECK on a column that a
/// foreign key with `ON DELETE CASCADE` uses (error 3823), and a trigger there needs rights
/// that a service account with binary logging on does not have.
const INVARIANTS: [(&str, &str, &str); 7] = [
    ("chat_history", "ck_chat_history_type", "type IN (0, 1, 2)"),
    ("chat_history", "ck_chat_history_seq", "seq >= 1"),
    (
        "chatroom",
        "ck_chatroom_type",
        "type IN ('direct', 'group')",
    ),
    ("chatroom", "ck_chatroom_last_seq", "last_seq >= 0"),
    (
        "user_chatroom",
        "ck_user_chatroom_read",
        "last_read_seq >= 0",
    ),
    (
        "friend_request",
        "ck_friend_request_status",
        "status IN (0, 1, 2)",
    ),
    (
        "friend_request",
        "ck_friend_request_pending",
        "(status = 0 AND pending_key IS NOT NULL) OR (status <> 0 AND pending_key IS NULL)",
    ),
];

/// The condition with each column as the row about to be written (`NEW.` in a trigger).
fn on_new_row(condition: &str) -> String {
    const COLUMNS: [&str; 11] = [
        "type",
        "seq",
        "last_seq",
        "last_read_seq",
        "user_id",
        "friend_id",
        "status",
        "from_user_id",
        "to_user_id",
        "pending_key",
        "chatroom_id",
    ];
    condition
        .split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(|piece| {
            let word_end = piece
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(piece.len());
            let (word, rest) = piece.split_at(word_end);
            if COLUMNS.contains(&word) {
                format!("NEW.{word}{rest}")
            } else {
                piece.to_owned()
            }
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for (table, name, condition) in INVARIANTS {
            match manager.get_database_backend() {
                DatabaseBackend::Sqlite => {
                    let broken = format!("SELECT 1 FROM {table} WHERE NOT ({condition}) LIMIT 1");
                    if conn
                        .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                            DatabaseBackend::Sqlite,
                            broken,
                        ))
                        .await?
                        .is_some()
                    {
                        return Err(DbErr::Migration(format!(
                            "{table} holds a row that breaks {name} ({condition})"
                        )));
                    }
                    let new_row = on_new_row(condition);
                    let message =
                        format!("{name}: {table} must have {condition}").replace('\'', "''");
                    for (event, suffix) in [("INSERT", "insert"), ("UPDATE", "update")] {
                        conn.execute_unprepared(&format!(
                            "CREATE TRIGGER {name}_{suffix} BEFORE {event} ON {table} \
                             FOR EACH ROW WHEN NOT ({new_row}) \
                             BEGIN SELECT RAISE(ABORT, '{message}'); END"
                        ))
                        .await?;
                    }
                }
                backend => {
                    // MySQL's DDL is not transactional: a run stopped halfway left some of
                    // these behind, and the next run goes on from there.
                    let exists = conn
                        .query_one_raw(sea_orm_migration::sea_orm::Statement::from_sql_and_values(
                            backend,
                            "SELECT 1 FROM information_schema.table_constraints \
                             WHERE constraint_schema = DATABASE() AND table_name = ? \
                             AND constraint_name = ?",
                            [table.into(), name.into()],
                        ))
                        .await?
                        .is_some();
                    if !exists {
                        conn.execute_unprepared(&format!(
                            "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition})"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for (table, name, _) in INVARIANTS {
            match manager.get_database_backend() {
                DatabaseBackend::Sqlite => {
                    for suffix in ["insert", "update"] {
                        conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_{suffix}"))
                            .await?;
                    }
                }
                _ => {
                    conn.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_conditions_name_the_new_row() {
        assert_eq!(
            on_new_row("(status = 0 AND pending_key IS NOT NULL) OR type IN ('direct')"),
            "(NEW.status = 0 AND NEW.pending_key IS NOT NULL) OR NEW.type IN ('direct')"
        );
        assert_eq!(
            on_new_row("user_id <> friend_id"),
            "NEW.user_id <> NEW.friend_id"
        );
    }
}
