//! A room's seq and its members' read markers, for writers that store many messages in one
//! transaction: each function is one statement however many rooms or members it touches.
use crate::entity::chatroom;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect, Statement, Value,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use user::{UserId, UserSummary};

// Kept as SQL (all but `room_seqs`, a plain read for catch-up): the batched message write's
// hot path, with dialect-specific statements (FOR UPDATE, FORCE INDEX, JSON_TABLE, multi-table
// UPDATE) whose round trips a test counts.

/// Where a room's order stands: its newest seq and message, and the time of its latest activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomSeq {
    pub id: i64,
    pub last_seq: i64,
    pub last_message_id: Option<i64>,
    pub update_time: DateTime<Utc>,
}

/// On MySQL/MariaDB, every locking statement here walks the primary key: on a small table the
/// optimizer would rather scan it whole for a long `IN` list, which locks every row and
/// deadlocks two writers that each hold a few rooms. SQLite has one writer and no hints.
pub(crate) fn by_primary_key(conn: &impl ConnectionTrait) -> &'static str {
    match conn.get_database_backend() {
        DatabaseBackend::MySql => "FORCE INDEX (PRIMARY)",
        _ => "",
    }
}

pub(crate) fn marks(count: usize, mark: &str) -> String {
    vec![mark; count].join(", ")
}

pub(crate) fn is_mysql(conn: &impl ConnectionTrait) -> bool {
    conn.get_database_backend() == DatabaseBackend::MySql
}

/// MySQL/MariaDB: rows handed to one statement as one JSON array, read as the table `v`
/// (`JSON_TABLE`, MySQL 8 / MariaDB 10.6) that the statement walks first (`STRAIGHT_JOIN`) and
/// joins by primary key. The cost grows with the rows, where a `CASE` branch per row costs
/// rows × branches (with 500 read markers, most of a batch's time on MariaDB). SQLite keeps
/// the `CASE`: its one writer evaluates it in-process, and it has no `JSON_TABLE`.
pub(crate) fn json_table(columns: &[&str]) -> String {
    let columns: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(index, column)| format!("{column} PATH '$[{index}]'"))
        .collect();
    format!(
        "JSON_TABLE(?, '$[*]' COLUMNS ({})) AS v",
        columns.join(", ")
    )
}

pub(crate) fn json_rows(rows: Vec<serde_json::Value>) -> Result<Value, DbErr> {
    serde_json::to_string(&rows)
        .map(Value::from)
        .map_err(|err| DbErr::Custom(err.to_string()))
}

pub(crate) async fn execute(
    conn: &impl ConnectionTrait,
    sql: String,
    values: Vec<Value>,
) -> Result<(), DbErr> {
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    conn.execute_raw(statement).await?;
    Ok(())
}

/// Locks the rooms that exist among `rooms` for the rest of the transaction, in id order (so two
/// writers never deadlock), and reads where each stands. Every change to a room's seq or members
/// takes this lock first, so what committed before it (an exit, a message) is visible after it.
pub async fn lock_rooms(conn: &impl ConnectionTrait, rooms: &[i64]) -> Result<Vec<RoomSeq>, DbErr> {
    if rooms.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let for_update = match backend {
        DatabaseBackend::Sqlite => "",
        _ => "FOR UPDATE",
    };
    let sql = format!(
        "SELECT id, last_seq, last_message_id, update_time FROM chatroom {} WHERE id IN ({}) ORDER BY id {for_update}",
        by_primary_key(conn),
        marks(rooms.len(), "?"),
    );
    let values = rooms
        .iter()
        .map(|room| Value::from(*room))
        .collect::<Vec<_>>();
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(RoomSeq {
                id: row.try_get("", "id")?,
                last_seq: row.try_get("", "last_seq")?,
                last_message_id: row.try_get("", "last_message_id")?,
                update_time: row.try_get("", "update_time")?,
            })
        })
        .collect()
}

/// Moves locked rooms to their new seq, last message and activity time, in one statement.
pub async fn advance_rooms(conn: &impl ConnectionTrait, rooms: &[RoomSeq]) -> Result<(), DbErr> {
    if rooms.is_empty() {
        return Ok(());
    }
    if is_mysql(conn) {
        let sql = format!(
            "UPDATE {} STRAIGHT_JOIN chatroom c FORCE INDEX (PRIMARY) ON c.id = v.id \
             SET c.last_seq = v.s, c.last_message_id = v.m, c.update_time = v.t",
            json_table(&["id BIGINT", "s BIGINT", "m BIGINT", "t DATETIME(6)"]),
        );
        let rows = rooms.iter().map(|r| {
            let time = r.update_time.format("%Y-%m-%d %H:%M:%S%.6f").to_string();
            serde_json::json!([r.id, r.last_seq, r.last_message_id, time])
        });
        return execute(conn, sql, vec![json_rows(rows.collect())?]).await;
    }
    let cases = marks(rooms.len(), "WHEN ? THEN ?").replace(", ", " ");
    let sql = format!(
        "UPDATE chatroom SET last_seq = CASE id {cases} END, \
         last_message_id = CASE id {cases} END, update_time = CASE id {cases} END \
         WHERE id IN ({})",
        marks(rooms.len(), "?"),
    );
    let mut values: Vec<Value> = Vec::with_capacity(rooms.len() * 7);
    values.extend(rooms.iter().flat_map(|r| [r.id.into(), r.last_seq.into()]));
    values.extend(
        rooms
            .iter()
            .flat_map(|r| [r.id.into(), r.last_message_id.into()]),
    );
    values.extend(
        rooms
            .iter()
            .flat_map(|r| [r.id.into(), r.update_time.into()]),
    );
    values.extend(rooms.iter().map(|r| Value::from(r.id)));
    execute(conn, sql, values).await
}

#[derive(FromQueryResult)]
struct MemberRow {
    chatroom_id: i64,
    id: i64,
    username: String,
    nick_name: String,
    head_pic: String,
}

/// Which of these (user, room) pairs are memberships, each with the member as others see them:
/// one statement for the lot. On MySQL/MariaDB the pairs are a `JSON_TABLE` joined by primary
/// key (a long `IN` list of pairs became a table scan there); SQLite is asked "these users in
/// these rooms" (two `IN` lists) and the answer narrowed to the pairs here.
pub async fn members_among(
    conn: &impl ConnectionTrait,
    pairs: &[(UserId, i64)],
) -> Result<HashMap<(UserId, i64), UserSummary>, DbErr> {
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    const COLUMNS: &str = "m.chatroom_id, u.id, u.username, u.nick_name, u.head_pic";
    let (sql, values) = if is_mysql(conn) {
        let sql = format!(
            "SELECT {COLUMNS} FROM {} STRAIGHT_JOIN user_chatroom m FORCE INDEX (PRIMARY) \
             ON m.user_id = v.u AND m.chatroom_id = v.r JOIN users u ON u.id = m.user_id",
            json_table(&["u BIGINT", "r BIGINT"]),
        );
        let rows = pairs
            .iter()
            .map(|(user, room)| serde_json::json!([user.get(), room]));
        (sql, vec![json_rows(rows.collect())?])
    } else {
        let users: BTreeSet<i64> = pairs.iter().map(|(user, _)| user.get()).collect();
        let rooms: BTreeSet<i64> = pairs.iter().map(|(_, room)| *room).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM user_chatroom m JOIN users u ON u.id = m.user_id \
             WHERE m.chatroom_id IN ({}) AND m.user_id IN ({})",
            marks(rooms.len(), "?"),
            marks(users.len(), "?"),
        );
        let values: Vec<Value> = rooms
            .iter()
            .chain(&users)
            .map(|id| Value::from(*id))
            .collect();
        (sql, values)
    };
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    let wanted: HashSet<&(UserId, i64)> = pairs.iter().collect();
    let rows = MemberRow::find_by_statement(statement).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let summary = UserSummary {
                id: row.id,
                username: row.username,
                nick_name: row.nick_name,
                head_pic: row.head_pic,
            };
            ((UserId::new(row.id), row.chatroom_id), summary)
        })
        .filter(|(pair, _)| wanted.contains(pair))
        .collect())
}

/// Sending counts as having read up to your own message: moves each (user, room) marker to its
/// seq, in one statement. The seqs are new (above every marker), so markers only move forward.
/// `markers` in (user, room) order, the order their rows are locked in.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    markers: &[(UserId, i64, i64)],
) -> Result<(), DbErr> {
    if markers.is_empty() {
        return Ok(());
    }
    if is_mysql(conn) {
        let sql = format!(
            "UPDATE {} STRAIGHT_JOIN user_chatroom m FORCE INDEX (PRIMARY) \
             ON m.user_id = v.u AND m.chatroom_id = v.r SET m.last_read_seq = v.s",
            json_table(&["u BIGINT", "r BIGINT", "s BIGINT"]),
        );
        let rows = markers
            .iter()
            .map(|(user, room, seq)| serde_json::json!([user.get(), room, seq]));
        return execute(conn, sql, vec![json_rows(rows.collect())?]).await;
    }
    let cases =
        marks(markers.len(), "WHEN user_id = ? AND chatroom_id = ? THEN ?").replace(", ", " ");
    let sql = format!(
        "UPDATE user_chatroom SET last_read_seq = CASE {cases} ELSE last_read_seq END \
         WHERE (user_id, chatroom_id) IN ({})",
        marks(markers.len(), "(?, ?)"),
    );
    let mut values: Vec<Value> = Vec::with_capacity(markers.len() * 5);
    values.extend(
        markers
            .iter()
            .flat_map(|(user, room, seq)| [user.get().into(), (*room).into(), (*seq).into()]),
    );
    values.extend(
        markers
            .iter()
            .flat_map(|(user, room, _)| [Value::from(user.get()), Value::from(*room)]),
    );
    execute(conn, sql, values).await
}

/// The newest seq of each of these rooms that exists, in one statement per thousand rooms.
pub async fn room_seqs(
    conn: &impl ConnectionTrait,
    rooms: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    let mut seqs = HashMap::with_capacity(rooms.len());
    for chunk in rooms.chunks(1000) {
        let rows: Vec<(i64, i64)> = chatroom::Entity::find()
            .select_only()
            .columns([chatroom::Column::Id, chatroom::Column::LastSeq])
            .filter(chatroom::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        seqs.extend(rows);
    }
    Ok(seqs)
}
