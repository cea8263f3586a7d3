//! "My rooms": member count, unread count, the shown name and the last message for a page of
//! rooms, in a fixed three statements whatever the page size.
use crate::messages::messages_by_ids;
use crate::types::{RoomKind, RoomListItem};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};
use std::collections::HashMap;
use user::{LIKE_ESCAPE, Page, PageRequest, SearchText, UserId};

/// A room `c` as `viewer` sees its name: a direct room is shown with the other person's
/// nickname (`o`, joined by `other_member_join`); the filter matches what is shown.
pub const SHOWN_NAME: &str =
    "CASE WHEN c.type = 'direct' THEN COALESCE(o.nick_name, c.name) ELSE c.name END";

/// Joins `o`, the other member of a direct room `c`, for the user in column `viewer`.
pub fn other_member_join(viewer: &str) -> String {
    format!(
        " LEFT JOIN user_chatroom ou ON c.type = 'direct' AND ou.chatroom_id = c.id \
         AND ou.user_id <> {viewer} LEFT JOIN users o ON o.id = ou.user_id"
    )
}

#[derive(FromQueryResult)]
struct RoomRow {
    id: i64,
    kind: String,
    name: String,
    user_count: i64,
    unread_count: i64,
    last_message_id: Option<i64>,
    update_time: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Total {
    total: i64,
}

/// `FROM ... WHERE ...` of the list, and its values.
fn from_where(me: UserId, name: Option<&SearchText>) -> (String, Vec<Value>) {
    let mut sql = format!(
        " FROM user_chatroom uc JOIN chatroom c ON c.id = uc.chatroom_id{} WHERE uc.user_id = ?",
        other_member_join("uc.user_id")
    );
    let mut values = vec![Value::from(me.0)];
    if let Some(name) = name {
        sql.push_str(&format!(
            " AND LOWER({SHOWN_NAME}) LIKE ? ESCAPE '{LIKE_ESCAPE}'"
        ));
        values.push(Value::from(name.contains_pattern()));
    }
    (sql, values)
}

pub(crate) async fn list_rooms(
    conn: &impl ConnectionTrait,
    me: UserId,
    name: Option<&SearchText>,
    page: PageRequest,
) -> Result<Page<RoomListItem>, DbErr> {
    let backend = conn.get_database_backend();
    let (from_where, values) = from_where(me, name);
    let count = Statement::from_sql_and_values(
        backend,
        format!("SELECT COUNT(*) AS total{from_where}"),
        values.clone(),
    );
    let total = Total::find_by_statement(count)
        .one(conn)
        .await?
        .map_or(0, |t| t.total);

    // Ties of activity time are broken by the last message's id (assigned in insert order),
    // then by the room's id: a later message moves its room up even within one millisecond.
    let sql = format!(
        "SELECT c.id, c.type AS kind, {SHOWN_NAME} AS name, c.update_time, \
         (SELECT COUNT(*) FROM user_chatroom m WHERE m.chatroom_id = c.id) AS user_count, \
         (SELECT COUNT(*) FROM chat_history h WHERE h.chatroom_id = c.id \
            AND h.seq > uc.last_read_seq AND h.sender_id <> uc.user_id) AS unread_count, \
         (SELECT h.id FROM chat_history h WHERE h.chatroom_id = c.id AND h.seq = c.last_seq) \
            AS last_message_id\
         {from_where} ORDER BY c.update_time DESC, last_message_id DESC, c.id DESC \
         LIMIT ? OFFSET ?"
    );
    let mut values = values;
    values.push(Value::from(page.page_size()));
    values.push(Value::from(page.offset()));
    let rows = RoomRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(conn)
        .await?;

    let ids: Vec<i64> = rows.iter().filter_map(|row| row.last_message_id).collect();
    let mut last: HashMap<i64, _> = messages_by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|message| (message.id, message))
        .collect();
    let items = rows
        .into_iter()
        .map(|row| RoomListItem {
            id: row.id,
            name: row.name,
            kind: RoomKind::from_db(&row.kind),
            user_count: u64::try_from(row.user_count).unwrap_or(0),
            last_message: row.last_message_id.and_then(|id| last.remove(&id)),
            unread_count: u64::try_from(row.unread_count).unwrap_or(0),
            update_time: row.update_time,
        })
        .collect();
    Ok(Page::new(items, u64::try_from(total).unwrap_or(0), page))
}
