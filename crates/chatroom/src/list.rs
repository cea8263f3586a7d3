//! "My rooms" as the room rows tell it: the shown name, member count, where the room's order
//! stands and where my read marker is, in two statements whatever the page size. The chat
//! module adds the last message and the unread count.
use crate::types::RoomKind;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};
use std::collections::HashMap;
use user::{LIKE_ESCAPE, PageRequest, SearchText, UserId, UserSummary};

// Kept as SQL: the shown name (a CASE over a conditional, aliased self-join of `user_chatroom`),
// its LIKE ... ESCAPE filter and the member-count subquery are shared by three statements, and
// read more plainly as these fragments than as builder expressions.

/// A room `c` as a viewer sees its name: a direct room is shown with the other person's
/// nickname (`o`, joined by `other_member_join`); the filter matches what is shown.
const SHOWN_NAME: &str =
    "CASE WHEN c.type = 'direct' THEN COALESCE(o.nick_name, c.name) ELSE c.name END";

/// Joins `o`, the other member of a direct room `c`, for the user in `viewer`.
fn other_member_join(viewer: &str) -> String {
    format!(
        " LEFT JOIN user_chatroom ou ON c.type = 'direct' AND ou.chatroom_id = c.id \
         AND ou.user_id <> {viewer} LEFT JOIN users o ON o.id = ou.user_id"
    )
}

/// One of my rooms, before its messages are looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomEntry {
    pub id: i64,
    pub name: String,
    pub kind: RoomKind,
    pub user_count: u64,
    /// The other member of a direct room (`None` in a group, or when they have gone).
    pub peer: Option<UserSummary>,
    /// The newest message's seq.
    pub last_seq: i64,
    /// Where my read marker stands.
    pub last_read_seq: i64,
    pub update_time: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct EntryRow {
    id: i64,
    kind: RoomKind,
    name: String,
    user_count: i64,
    last_seq: i64,
    last_read_seq: i64,
    update_time: DateTime<Utc>,
    peer_id: Option<i64>,
    peer_username: Option<String>,
    peer_nick_name: Option<String>,
    peer_head_pic: Option<String>,
}

impl EntryRow {
    fn peer(&mut self) -> Option<UserSummary> {
        Some(UserSummary {
            id: self.peer_id?,
            username: self.peer_username.take()?,
            nick_name: self.peer_nick_name.take()?,
            head_pic: self.peer_head_pic.take()?,
        })
    }
}

#[derive(FromQueryResult)]
struct Total {
    total: i64,
}

#[derive(FromQueryResult)]
struct NameRow {
    id: i64,
    name: String,
}

/// `FROM ... WHERE ...` of the list, and its values.
fn from_where(me: UserId, name: Option<&SearchText>) -> (String, Vec<Value>) {
    let mut sql = format!(
        " FROM user_chatroom uc JOIN chatroom c ON c.id = uc.chatroom_id{} WHERE uc.user_id = ?",
        other_member_join("uc.user_id")
    );
    let mut values = vec![Value::from(me.get())];
    if let Some(name) = name {
        sql.push_str(&format!(
            " AND LOWER({SHOWN_NAME}) LIKE ? ESCAPE '{LIKE_ESCAPE}'"
        ));
        values.push(Value::from(name.contains_pattern()));
    }
    (sql, values)
}

/// A page of my rooms, most recent activity first, and how many there are in all.
pub async fn room_page(
    conn: &impl ConnectionTrait,
    me: UserId,
    name: Option<&SearchText>,
    page: PageRequest,
) -> Result<(Vec<RoomEntry>, u64), DbErr> {
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
        "SELECT c.id, c.type AS kind, {SHOWN_NAME} AS name, c.update_time, c.last_seq, \
         uc.last_read_seq, o.id AS peer_id, o.username AS peer_username, \
         o.nick_name AS peer_nick_name, o.head_pic AS peer_head_pic, \
         (SELECT COUNT(*) FROM user_chatroom m WHERE m.chatroom_id = c.id) AS user_count\
         {from_where} ORDER BY c.update_time DESC, c.last_message_id DESC, c.id DESC \
         LIMIT ? OFFSET ?"
    );
    let mut values = values;
    values.push(Value::from(page.page_size()));
    values.push(Value::from(page.offset()));
    let rows = EntryRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(conn)
        .await?;
    let entries = rows
        .into_iter()
        .map(|mut row| RoomEntry {
            peer: row.peer(),
            id: row.id,
            name: row.name,
            kind: row.kind,
            user_count: u64::try_from(row.user_count).unwrap_or(0),
            last_seq: row.last_seq,
            last_read_seq: row.last_read_seq,
            update_time: row.update_time,
        })
        .collect();
    Ok((entries, u64::try_from(total).unwrap_or(0)))
}

/// The names these rooms show to `viewer` (a direct room: the other person's nickname), in one
/// statement. Rooms that do not exist are left out.
pub async fn room_names(
    conn: &impl ConnectionTrait,
    viewer: UserId,
    rooms: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    if rooms.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT c.id, {SHOWN_NAME} AS name FROM chatroom c{} WHERE c.id IN ({})",
        other_member_join("?"),
        vec!["?"; rooms.len()].join(", ")
    );
    let values: Vec<Value> = std::iter::once(viewer.get())
        .chain(rooms.iter().copied())
        .map(Value::from)
        .collect();
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    let rows = NameRow::find_by_statement(statement).all(conn).await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}
