//! The migration that keeps each room's last message id on the room row fills it in for rooms
//! that had messages before it ran, on SQLite and on MariaDB.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use chatroom::entity::chatroom;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, EntityTrait, Set, Statement, Value};
use test_support::{create_user, empty_db};

/// The last migration before `chatroom.last_message_id`.
const BEFORE_LAST_MESSAGE_ID: u32 = 7;

#[tokio::test]
async fn rooms_that_had_messages_get_their_newest_one() {
    let db = empty_db().await.unwrap();
    Migrator::up(&db.conn, Some(BEFORE_LAST_MESSAGE_ID))
        .await
        .unwrap();
    let sender = create_user(&db.conn, "old").await.unwrap();
    let now = user::time::now();
    let room = |seq: i64| chatroom::ActiveModel {
        name: Set("g".to_owned()),
        kind: Set(::chatroom::RoomKind::Group),
        owner_id: Set(Some(sender.id)),
        last_seq: Set(seq),
        create_time: Set(now),
        update_time: Set(now),
        ..Default::default()
    };
    // Inserted without reading the row back: the entity already knows the new column.
    let insert = |model| chatroom::Entity::insert(model).exec(&db.conn);
    let talked = insert(room(2)).await.unwrap().last_insert_id;
    let quiet = insert(room(0)).await.unwrap().last_insert_id;
    for seq in 1..=2_i64 {
        let insert = Statement::from_sql_and_values(
            db.conn.get_database_backend(),
            "INSERT INTO chat_history (chatroom_id, seq, sender_id, type, content, client_id, \
             create_time, update_time) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
            [
                Value::from(talked),
                Value::from(seq),
                Value::from(sender.id),
                Value::from(format!("m{seq}")),
                Value::from(format!("c{seq}")),
                Value::from(now),
                Value::from(now),
            ],
        );
        db.conn.execute_raw(insert).await.unwrap();
    }
    let newest: i64 = db
        .conn
        .query_one_raw(Statement::from_string(
            db.conn.get_database_backend(),
            "SELECT MAX(id) AS id FROM chat_history",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();

    Migrator::up(&db.conn, None).await.unwrap();
    let find = |id| chatroom::Entity::find_by_id(id).one(&db.conn);
    assert_eq!(
        find(talked).await.unwrap().unwrap().last_message_id,
        Some(newest)
    );
    assert_eq!(find(quiet).await.unwrap().unwrap().last_message_id, None);
}
