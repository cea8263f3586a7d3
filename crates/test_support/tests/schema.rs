//! The migrated schema enforces its invariants itself, on SQLite and on MySQL/MariaDB.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use test_support::fresh_db;

const T: &str = "'2026-01-01 00:00:00.000'";

async fn exec(db: &DatabaseConnection, sql: &str) -> Result<(), sea_orm::DbErr> {
    db.execute_unprepared(sql).await.map(|_| ())
}

async fn user(db: &DatabaseConnection, id: i64, username: &str) -> Result<(), sea_orm::DbErr> {
    exec(
        db,
        &format!(
            "INSERT INTO users (id, username, password_hash, nick_name, email, head_pic, \
             token_version, create_time, update_time) VALUES ({id}, '{username}', 'h', 'n', \
             '{username}@example.com', '', 0, {T}, {T})"
        ),
    )
    .await
}

#[tokio::test]
async fn all_seven_tables_exist_and_migrations_are_idempotent() {
    let db = fresh_db().await.unwrap();
    for table in [
        "users",
        "friendship",
        "friend_request",
        "chatroom",
        "user_chatroom",
        "chat_history",
        "favorite",
    ] {
        exec(&db.conn, &format!("SELECT COUNT(*) FROM {table}"))
            .await
            .unwrap();
    }
    Migrator::up(&db.conn, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&db.conn)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn usernames_collide_without_regard_to_case() {
    let db = fresh_db().await.unwrap();
    user(&db.conn, 1, "Alice").await.unwrap();
    let err = exec(
        &db.conn,
        &format!(
            "INSERT INTO users (username, password_hash, nick_name, email, create_time, \
             update_time) VALUES ('alice', 'h', 'n', 'other@example.com', {T}, {T})"
        ),
    )
    .await;
    assert!(err.is_err());
}

#[tokio::test]
async fn friendships_need_real_users_and_are_unique_per_direction() {
    let db = fresh_db().await.unwrap();
    user(&db.conn, 1, "a1").await.unwrap();
    user(&db.conn, 2, "b2").await.unwrap();
    let insert = |a: i64, b: i64| {
        format!(
            "INSERT INTO friendship (user_id, friend_id, create_time, update_time) \
             VALUES ({a}, {b}, {T}, {T})"
        )
    };
    exec(&db.conn, &insert(1, 2)).await.unwrap();
    exec(&db.conn, &insert(2, 1)).await.unwrap();
    assert!(
        exec(&db.conn, &insert(1, 2)).await.is_err(),
        "duplicate pair"
    );
    assert!(
        exec(&db.conn, &insert(1, 99)).await.is_err(),
        "unknown user"
    );
}

#[tokio::test]
async fn one_pending_request_per_pair() {
    let db = fresh_db().await.unwrap();
    user(&db.conn, 1, "c1").await.unwrap();
    user(&db.conn, 2, "d2").await.unwrap();
    let insert = |status: i16, key: &str| {
        format!(
            "INSERT INTO friend_request (from_user_id, to_user_id, reason, status, pending_key, \
             create_time, update_time) VALUES (1, 2, '', {status}, {key}, {T}, {T})"
        )
    };
    exec(&db.conn, &insert(0, "'1:2'")).await.unwrap();
    assert!(exec(&db.conn, &insert(0, "'1:2'")).await.is_err());
    // Decided requests (NULL key) never collide.
    exec(&db.conn, &insert(1, "NULL")).await.unwrap();
    exec(&db.conn, &insert(2, "NULL")).await.unwrap();
}

#[tokio::test]
async fn rooms_messages_and_favorites_keep_their_keys() {
    let db = fresh_db().await.unwrap();
    user(&db.conn, 1, "e1").await.unwrap();
    let room = |id: i64, key: &str| {
        format!(
            "INSERT INTO chatroom (id, name, type, owner_id, last_seq, direct_key, create_time, \
             update_time) VALUES ({id}, '', 'direct', NULL, 0, {key}, {T}, {T})"
        )
    };
    exec(&db.conn, &room(1, "'1:2'")).await.unwrap();
    assert!(
        exec(&db.conn, &room(2, "'1:2'")).await.is_err(),
        "one direct room per pair"
    );
    exec(&db.conn, &room(3, "NULL")).await.unwrap();
    exec(&db.conn, &room(4, "NULL")).await.unwrap();

    let message = |id: i64, seq: i64, client: &str| {
        format!(
            "INSERT INTO chat_history (id, chatroom_id, seq, sender_id, type, content, client_id, \
             create_time, update_time) VALUES ({id}, 1, {seq}, 1, 0, 'hi', '{client}', {T}, {T})"
        )
    };
    exec(&db.conn, &message(1, 1, "c1")).await.unwrap();
    assert!(
        exec(&db.conn, &message(2, 1, "c2")).await.is_err(),
        "one message per seq"
    );
    assert!(
        exec(&db.conn, &message(3, 2, "c1")).await.is_err(),
        "one message per client id"
    );

    let favorite = format!(
        "INSERT INTO favorite (user_id, chat_history_id, create_time, update_time) \
         VALUES (1, 1, {T}, {T})"
    );
    exec(&db.conn, &favorite).await.unwrap();
    assert!(exec(&db.conn, &favorite).await.is_err(), "favorite once");

    let member = format!(
        "INSERT INTO user_chatroom (user_id, chatroom_id, last_read_seq, joined_at, create_time, \
         update_time) VALUES (1, 99, 0, {T}, {T}, {T})"
    );
    assert!(
        exec(&db.conn, &member).await.is_err(),
        "membership of an unknown room"
    );
}
