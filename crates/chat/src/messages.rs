//! Every read of `chat_history`, each one statement whatever the count: messages with their
//! senders joined (history, the room list's last messages, favorites, repeated clientIds) and
//! unread counts.
use crate::message::{ChatMessage, MessageKind};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};
use std::collections::HashMap;
use user::{UserId, UserSummary};

/// The columns of a `MessageRow`, from `chat_history h` and its sender `users u`.
const MESSAGE_COLUMNS: &str = "h.id, h.chatroom_id, h.seq, h.type AS kind, h.content, \
     h.client_id, h.create_time, u.id AS sender_id, u.username AS sender_username, \
     u.nick_name AS sender_nick_name, u.head_pic AS sender_head_pic";

/// Joins the sender `users u` of `chat_history h`.
const SENDER_JOIN: &str = "JOIN users u ON u.id = h.sender_id";

/// A message with its sender, as read by `MESSAGE_COLUMNS`.
#[derive(FromQueryResult)]
struct MessageRow {
    id: i64,
    chatroom_id: i64,
    seq: i64,
    kind: MessageKind,
    content: String,
    client_id: String,
    create_time: DateTime<Utc>,
    sender_id: i64,
    sender_username: String,
    sender_nick_name: String,
    sender_head_pic: String,
}

impl From<MessageRow> for ChatMessage {
    fn from(row: MessageRow) -> Self {
        ChatMessage {
            id: row.id,
            chatroom_id: row.chatroom_id,
            seq: row.seq,
            kind: row.kind,
            content: row.content,
            create_time: row.create_time,
            sender: UserSummary {
                id: row.sender_id,
                username: row.sender_username,
                nick_name: row.sender_nick_name,
                head_pic: row.sender_head_pic,
            },
            client_id: row.client_id,
        }
    }
}

async fn query(
    conn: &impl ConnectionTrait,
    sql: String,
    values: Vec<Value>,
) -> Result<Vec<ChatMessage>, DbErr> {
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    let rows = MessageRow::find_by_statement(statement).all(conn).await?;
    Ok(rows.into_iter().map(ChatMessage::from).collect())
}

/// The messages with these ids, in id order.
pub async fn messages_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<ChatMessage>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_history h {SENDER_JOIN} WHERE h.id IN ({marks}) ORDER BY h.id"
    );
    query(conn, sql, ids.iter().map(|id| Value::from(*id)).collect()).await
}

/// The messages at these (room, seq) places, one statement (for a page of rooms: an `OR` of
/// exact matches, each one probe of the (room, seq) index).
pub async fn messages_at(
    conn: &impl ConnectionTrait,
    places: &[(i64, i64)],
) -> Result<Vec<ChatMessage>, DbErr> {
    if places.is_empty() {
        return Ok(Vec::new());
    }
    let matches = vec!["(h.chatroom_id = ? AND h.seq = ?)"; places.len()].join(" OR ");
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM chat_history h {SENDER_JOIN} WHERE {matches}");
    let values = places
        .iter()
        .flat_map(|(room, seq)| [Value::from(*room), Value::from(*seq)]);
    query(conn, sql, values.collect()).await
}

/// The messages stored under these (sender, clientId) pairs, whichever room they are in.
pub async fn messages_by_client_ids(
    conn: &impl ConnectionTrait,
    keys: &[(i64, &str)],
) -> Result<Vec<ChatMessage>, DbErr> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["(?, ?)"; keys.len()].join(", ");
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_history h {SENDER_JOIN} \
         WHERE (h.sender_id, h.client_id) IN ({marks})"
    );
    let values = keys
        .iter()
        .flat_map(|(sender, client_id)| [Value::from(*sender), Value::from(*client_id)]);
    query(conn, sql, values.collect()).await
}

/// The newest `limit` messages of a room after `after`, ascending: what a reader that has
/// everything up to `after` missed (no membership check: for the server's own catch-up).
pub async fn messages_after(
    conn: &impl ConnectionTrait,
    room: i64,
    after: i64,
    limit: u64,
) -> Result<Vec<ChatMessage>, DbErr> {
    messages_page(conn, room, (Some(after), None), limit, true).await
}

/// Up to `limit` messages of a room with `after < seq < before`, returned ascending by seq:
/// the newest such messages when `newest` is set, else the oldest.
pub async fn messages_page(
    conn: &impl ConnectionTrait,
    room: i64,
    (after, before): (Option<i64>, Option<i64>),
    limit: u64,
    newest: bool,
) -> Result<Vec<ChatMessage>, DbErr> {
    let newest_first = newest;
    let order = if newest_first { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_history h {SENDER_JOIN} WHERE h.chatroom_id = ? AND h.seq > ? \
         AND h.seq < ? ORDER BY h.seq {order} LIMIT ?"
    );
    let values = vec![
        Value::from(room),
        Value::from(after.unwrap_or(0)),
        Value::from(before.unwrap_or(i64::MAX)),
        Value::from(limit),
    ];
    let mut messages = query(conn, sql, values).await?;
    if newest_first {
        messages.reverse();
    }
    Ok(messages)
}

#[derive(FromQueryResult)]
struct UnreadRow {
    chatroom_id: i64,
    unread: i64,
}

/// How many messages from others `user` has not read in each room, given where each of their
/// read markers stands: one statement for all the rooms. Rooms with nothing unread are left out.
pub async fn unread_counts(
    conn: &impl ConnectionTrait,
    user: UserId,
    markers: &[(i64, i64)],
) -> Result<HashMap<i64, u64>, DbErr> {
    if markers.is_empty() {
        return Ok(HashMap::new());
    }
    let ranges = vec!["(h.chatroom_id = ? AND h.seq > ?)"; markers.len()].join(" OR ");
    let sql = format!(
        "SELECT h.chatroom_id, COUNT(*) AS unread FROM chat_history h \
         WHERE h.sender_id <> ? AND ({ranges}) GROUP BY h.chatroom_id"
    );
    let values: Vec<Value> = std::iter::once(user.0)
        .chain(markers.iter().flat_map(|(room, seq)| [*room, *seq]))
        .map(Value::from)
        .collect();
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    let rows = UnreadRow::find_by_statement(statement).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.chatroom_id, u64::try_from(row.unread).unwrap_or(0)))
        .collect())
}
