//! The database refuses rows that break the schema's invariants (migration 9), on SQLite and on
//! MariaDB, whatever writes them: a kind or status outside its values, a negative seq or read
//! marker, a request pending without its key.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};
use test_support::{create_user, fresh_db};

async fn run(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Result<(), String> {
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    db.execute_raw(statement)
        .await
        .map(|_| ())
        .map_err(|err| err.to_string())
}

#[tokio::test]
async fn rows_that_break_an_invariant_are_refused() {
    let db = fresh_db().await.unwrap();
    let (a, b) = (
        create_user(&db.conn, "a").await.unwrap().id,
        create_user(&db.conn, "b").await.unwrap().id,
    );
    let now = Value::from(user::time::now());
    let room = |kind: &str, last_seq: i64| {
        vec![
            Value::from(kind.to_owned()),
            Value::from(last_seq),
            now.clone(),
            now.clone(),
        ]
    };
    let new_room = "INSERT INTO chatroom (name, type, last_seq, create_time, update_time) \
                    VALUES ('g', ?, ?, ?, ?)";
    run(&db.conn, new_room, room("group", 0)).await.unwrap();
    assert!(run(&db.conn, new_room, room("channel", 0)).await.is_err());
    assert!(run(&db.conn, new_room, room("group", -1)).await.is_err());
    let raised = "UPDATE chatroom SET type = 'nothing'";
    assert!(run(&db.conn, raised, vec![]).await.is_err());

    let message = "INSERT INTO chat_history (chatroom_id, seq, sender_id, type, content, \
                   client_id, create_time, update_time) \
                   SELECT id, ?, ?, ?, 'x', ?, ?, ? FROM chatroom LIMIT 1";
    let row = |seq: i64, kind: i16, client: &str| {
        vec![
            Value::from(seq),
            Value::from(a),
            Value::from(kind),
            Value::from(client.to_owned()),
            now.clone(),
            now.clone(),
        ]
    };
    run(&db.conn, message, row(1, 2, "c1")).await.unwrap();
    assert!(run(&db.conn, message, row(2, 3, "c2")).await.is_err());
    assert!(run(&db.conn, message, row(0, 0, "c3")).await.is_err());

    let request = "INSERT INTO friend_request (from_user_id, to_user_id, reason, status, \
                   pending_key, create_time, update_time) VALUES (?, ?, '', ?, ?, ?, ?)";
    let asked = |from: i64, to: i64, status: i16, key: Option<&str>| {
        vec![
            Value::from(from),
            Value::from(to),
            Value::from(status),
            Value::from(key.map(str::to_owned)),
            now.clone(),
            now.clone(),
        ]
    };
    run(&db.conn, request, asked(b, a, 1, None)).await.unwrap();
    assert!(run(&db.conn, request, asked(b, a, 0, None)).await.is_err());
    assert!(
        run(&db.conn, request, asked(b, a, 2, Some("k")))
            .await
            .is_err()
    );
    assert!(run(&db.conn, request, asked(b, a, 5, None)).await.is_err());
}

#[tokio::test]
async fn the_migration_goes_down_and_refuses_to_come_up_over_a_broken_row() {
    use migration::{Migrator, MigratorTrait};
    let db = fresh_db().await.unwrap();
    Migrator::down(&db.conn, Some(1)).await.unwrap();
    let now = Value::from(user::time::now());
    let broken = "INSERT INTO chatroom (name, type, last_seq, create_time, update_time) \
                  VALUES ('g', 'channel', 0, ?, ?)";
    run(&db.conn, broken, vec![now.clone(), now]).await.unwrap();
    let refused = Migrator::up(&db.conn, None).await.unwrap_err().to_string();
    assert!(refused.contains("ck_chatroom_type"), "{refused}");
}

#[tokio::test]
async fn a_migration_stopped_halfway_goes_on_from_where_it_stopped() {
    use migration::{Migrator, MigratorTrait};
    let db = fresh_db().await.unwrap();
    Migrator::down(&db.conn, Some(1)).await.unwrap();
    // MySQL/MariaDB keep each constraint as it is added: one left from a run that stopped.
    if db.conn.get_database_backend() == sea_orm::DatabaseBackend::MySql {
        let left = "ALTER TABLE chat_history ADD CONSTRAINT ck_chat_history_seq CHECK (seq >= 1)";
        run(&db.conn, left, vec![]).await.unwrap();
    }
    Migrator::up(&db.conn, None).await.unwrap();
    let now = Value::from(user::time::now());
    let broken = "INSERT INTO chatroom (name, type, last_seq, create_time, update_time) \
                  VALUES ('g', 'group', -5, ?, ?)";
    assert!(run(&db.conn, broken, vec![now.clone(), now]).await.is_err());
}
