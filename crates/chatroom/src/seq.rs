//! A room's seq and its members' read markers, for writers that store many messages in one
//! transaction: each function is one statement however many rooms or members it touches.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, Statement, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use user::{UserId, UserSummary};

/// Where a room's order stands: its newest seq and the time of its latest activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomSeq {
    pub id: i64,
    pub last_seq: i64,
    pub update_time: DateTime<Utc>,
}

/// On MySQL/MariaDB, every locking statement here walks the primary key: on a small table the
/// optimizer would rather scan it whole for a long `IN` list, which locks every row and
/// deadlocks two writers that each hold a few rooms. SQLite has one writer and no hints.
fn by_primary_key(conn: &impl ConnectionTrait) -> &'static str {
    match conn.get_database_backend() {
        DatabaseBackend::MySql => "FORCE INDEX (PRIMARY)",
        _ => "",
    }
}

fn marks(count: usize, mark: &str) -> String {
    vec![mark; count].join(", ")
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
        "SELECT id, last_seq, update_time FROM chatroom {} WHERE id IN ({}) ORDER BY id {for_update}",
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
                update_time: row.try_get("", "update_time")?,
            })
        })
        .collect()
}

/// Moves locked rooms to their new seq and activity time, in one statement.
pub async fn advance_rooms(conn: &impl ConnectionTrait, rooms: &[RoomSeq]) -> Result<(), DbErr> {
    if rooms.is_empty() {
        return Ok(());
    }
    let cases = marks(rooms.len(), "WHEN ? THEN ?").replace(", ", " ");
    let sql = format!(
        "UPDATE chatroom {} SET last_seq = CASE id {cases} END, update_time = CASE id {cases} END \
         WHERE id IN ({})",
        by_primary_key(conn),
        marks(rooms.len(), "?"),
    );
    let mut values: Vec<Value> = Vec::with_capacity(rooms.len() * 5);
    values.extend(rooms.iter().flat_map(|r| [r.id.into(), r.last_seq.into()]));
    values.extend(
        rooms
            .iter()
            .flat_map(|r| [r.id.into(), r.update_time.into()]),
    );
    values.extend(rooms.iter().map(|r| Value::from(r.id)));
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    conn.execute_raw(statement).await?;
    Ok(())
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
/// one statement for the lot. Asked as "these users in these rooms" (two short `IN` lists, which
/// every optimizer walks by index; MariaDB turns a long list of pairs into a table scan) and
/// narrowed to the pairs here.
pub async fn members_among(
    conn: &impl ConnectionTrait,
    pairs: &[(UserId, i64)],
) -> Result<HashMap<(UserId, i64), UserSummary>, DbErr> {
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let users: BTreeSet<i64> = pairs.iter().map(|(user, _)| user.0).collect();
    let rooms: BTreeSet<i64> = pairs.iter().map(|(_, room)| *room).collect();
    let sql = format!(
        "SELECT m.chatroom_id, u.id, u.username, u.nick_name, u.head_pic FROM user_chatroom m \
         JOIN users u ON u.id = m.user_id WHERE m.chatroom_id IN ({}) AND m.user_id IN ({})",
        marks(rooms.len(), "?"),
        marks(users.len(), "?"),
    );
    let values: Vec<Value> = rooms
        .iter()
        .chain(&users)
        .map(|id| Value::from(*id))
        .collect();
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
            ((UserId(row.id), row.chatroom_id), summary)
        })
        .filter(|(pair, _)| wanted.contains(pair))
        .collect())
}

/// Sending counts as having read up to your own message: moves each (user, room) marker to its
/// seq, in one statement. The seqs are new (above every marker), so markers only move forward.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    markers: &[(UserId, i64, i64)],
) -> Result<(), DbErr> {
    if markers.is_empty() {
        return Ok(());
    }
    let cases =
        marks(markers.len(), "WHEN user_id = ? AND chatroom_id = ? THEN ?").replace(", ", " ");
    let sql = format!(
        "UPDATE user_chatroom {} SET last_read_seq = CASE {cases} ELSE last_read_seq END \
         WHERE (user_id, chatroom_id) IN ({})",
        by_primary_key(conn),
        marks(markers.len(), "(?, ?)"),
    );
    let mut values: Vec<Value> = Vec::with_capacity(markers.len() * 5);
    values.extend(
        markers
            .iter()
            .flat_map(|(user, room, seq)| [user.0.into(), (*room).into(), (*seq).into()]),
    );
    values.extend(
        markers
            .iter()
            .flat_map(|(user, room, _)| [Value::from(user.0), Value::from(*room)]),
    );
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    conn.execute_raw(statement).await?;
    Ok(())
}
