//! Membership checks and writes, generic over the connection so callers can use them inside
//! their own transactions.
use crate::entity::{chatroom, user_chatroom};
use crate::error::ChatroomError;
use crate::types::RoomId;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use user::UserId;

pub async fn is_member(
    conn: &impl ConnectionTrait,
    user: UserId,
    room: RoomId,
) -> Result<bool, DbErr> {
    Ok(user_chatroom::Entity::find_by_id((user.get(), room.get()))
        .one(conn)
        .await?
        .is_some())
}

/// The room, if `user` is in it. A room you are not in is "not found", as if it did not exist.
pub async fn require_member(
    conn: &impl ConnectionTrait,
    user: UserId,
    room: RoomId,
) -> Result<chatroom::Model, ChatroomError> {
    if !is_member(conn, user, room).await? {
        return Err(ChatroomError::NotFound);
    }
    chatroom::Entity::find_by_id(room.get())
        .one(conn)
        .await?
        .ok_or(ChatroomError::NotFound)
}

/// Adds members who start with everything up to `read_up_to` counted as read.
pub(crate) async fn add_members(
    conn: &impl ConnectionTrait,
    room: i64,
    users: &[UserId],
    read_up_to: i64,
) -> Result<(), DbErr> {
    let now = user::time::now();
    let joined_at = user::time::now_precise();
    let rows = users.iter().map(|user| user_chatroom::ActiveModel {
        user_id: Set(user.get()),
        chatroom_id: Set(room),
        last_read_seq: Set(read_up_to),
        joined_at: Set(joined_at),
        create_time: Set(now),
        update_time: Set(now),
    });
    user_chatroom::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// Like `require_member`, with the room locked for the rest of the transaction.
pub async fn require_member_locked(
    conn: &impl ConnectionTrait,
    user: UserId,
    room: RoomId,
) -> Result<chatroom::Model, ChatroomError> {
    let room = lock_room(conn, room)
        .await?
        .ok_or(ChatroomError::NotFound)?;
    if !is_member(conn, user, RoomId::new(room.id)).await? {
        return Err(ChatroomError::NotFound);
    }
    Ok(room)
}

/// The room, locked for the rest of the transaction (`FOR UPDATE`; SQLite has one writer and
/// ignores it). Every change to a room's seq or members takes this lock first, so concurrent
/// changes line up, never deadlock, and each sees what the previous one committed.
pub async fn lock_room(
    conn: &impl ConnectionTrait,
    room: RoomId,
) -> Result<Option<chatroom::Model>, DbErr> {
    use sea_orm::QuerySelect;
    chatroom::Entity::find_by_id(room.get())
        .lock_exclusive()
        .one(conn)
        .await
}
