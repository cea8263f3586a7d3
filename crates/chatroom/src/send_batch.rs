//! The two steps of a batch of sends that touch rooms and members, each in as few round trips
//! as the database allows. A lone message is the common case at low load, and there every
//! round trip is a large share of the database's work for it (about 40 µs of MariaDB CPU each).
use crate::seq::{
    RoomSeq, advance_rooms, execute, is_mysql, json_rows, json_table, lock_rooms, mark_sent, marks,
    members_among,
};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, Value};
use std::collections::{BTreeSet, HashMap};
use user::{UserId, UserSummary};

/// The rooms of a batch, locked, and which of its (sender, room) pairs are memberships.
pub struct LockedForSends {
    pub rooms: Vec<RoomSeq>,
    pub members: HashMap<(UserId, i64), UserSummary>,
    /// Whether the summaries in `members` were read from `users` by this lock; otherwise they
    /// are the `known` ones the caller passed in.
    pub summaries_read: bool,
}

/// Locks `rooms` (in id order) and reads the memberships among `pairs`, as `lock_rooms` and
/// `members_among` do. On MySQL/MariaDB a batch of one room does both in one statement: the
/// senders' membership rows are joined to the locked room row (so they are read as of the lock,
/// and locked too, as the read marker update would lock them anyway), and the senders'
/// summaries come from subqueries, which a locking read does not lock. Locking `users` rows
/// would order them between rooms and deadlock two writers whose batches share a sender.
/// When `known` holds every sender's summary, that statement reads no `users` at all: its
/// subqueries are about a third of what it costs MariaDB (measured: about 350 against 233 µs
/// of CPU).
pub async fn lock_for_sends(
    conn: &impl ConnectionTrait,
    rooms: &[i64],
    pairs: &[(UserId, i64)],
    known: &HashMap<UserId, UserSummary>,
) -> Result<LockedForSends, DbErr> {
    if let ([room], true) = (rooms, is_mysql(conn))
        && !pairs.is_empty()
        && pairs.iter().all(|(_, r)| r == room)
    {
        let all_known = pairs.iter().all(|(user, _)| known.contains_key(user));
        return lock_room_with_senders(conn, *room, pairs, all_known.then_some(known)).await;
    }
    Ok(LockedForSends {
        rooms: lock_rooms(conn, rooms).await?,
        members: members_among(conn, pairs).await?,
        summaries_read: true,
    })
}

/// MariaDB caches the results of correlated subqueries in temporary tables, two of them made
/// for every execution of the prepared statement below: more work than the three primary-key
/// lookups they would save (the slow log showed each statement at 2.4 MB of temporary tables).
/// The cache is turned off for that one statement, in a comment only MariaDB executes (MySQL
/// has no such cache, and reads it as a comment).
const NO_SUBQUERY_CACHE: &str =
    "/*M!100102 SET STATEMENT optimizer_switch='subquery_cache=off' FOR */ ";

/// The senders' summaries, read by subqueries of the locking statement.
const SENDER_SUMMARIES: &str = ", \
     (SELECT u.username FROM users u WHERE u.id = m.user_id) AS username, \
     (SELECT u.nick_name FROM users u WHERE u.id = m.user_id) AS nick_name, \
     (SELECT u.head_pic FROM users u WHERE u.id = m.user_id) AS head_pic";

/// Kept as SQL: a MySQL-only locking read (LEFT JOIN with FORCE INDEX, scalar subqueries, FOR
/// UPDATE) on the hot write path. The summaries come from `known` when it is given, else from
/// the statement.
async fn lock_room_with_senders(
    conn: &impl ConnectionTrait,
    room: i64,
    pairs: &[(UserId, i64)],
    known: Option<&HashMap<UserId, UserSummary>>,
) -> Result<LockedForSends, DbErr> {
    let senders: BTreeSet<i64> = pairs.iter().map(|(user, _)| user.get()).collect();
    let (hint, summaries) = match known {
        Some(_) => ("", ""),
        None => (NO_SUBQUERY_CACHE, SENDER_SUMMARIES),
    };
    let sql = format!(
        "{hint}SELECT c.id, c.last_seq, c.last_message_id, c.update_time, m.user_id AS member{summaries} \
         FROM chatroom c LEFT JOIN user_chatroom m FORCE INDEX (PRIMARY) \
         ON m.chatroom_id = c.id AND m.user_id IN ({}) \
         WHERE c.id = ? FOR UPDATE",
        marks(senders.len(), "?"),
    );
    let mut values: Vec<Value> = senders.iter().map(|user| Value::from(*user)).collect();
    values.push(room.into());
    let statement = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    let rows = conn.query_all_raw(statement).await?;
    let mut locked = LockedForSends {
        rooms: Vec::with_capacity(1),
        members: HashMap::with_capacity(rows.len()),
        summaries_read: known.is_none(),
    };
    for row in &rows {
        if locked.rooms.is_empty() {
            locked.rooms.push(RoomSeq {
                id: row.try_get("", "id")?,
                last_seq: row.try_get("", "last_seq")?,
                last_message_id: row.try_get("", "last_message_id")?,
                update_time: row.try_get("", "update_time")?,
            });
        }
        let Some(member) = row.try_get::<Option<i64>>("", "member")? else {
            continue;
        };
        let summary = match known {
            Some(known) => known.get(&UserId::new(member)).cloned(),
            None => summary_read(row, member)?,
        };
        if let Some(summary) = summary {
            locked.members.insert((UserId::new(member), room), summary);
        }
    }
    Ok(locked)
}

/// A member's summary as the statement's subqueries read it (none if the user is gone).
fn summary_read(row: &QueryResult, member: i64) -> Result<Option<UserSummary>, DbErr> {
    let (Some(username), Some(nick_name), Some(head_pic)) = (
        row.try_get::<Option<String>>("", "username")?,
        row.try_get::<Option<String>>("", "nick_name")?,
        row.try_get::<Option<String>>("", "head_pic")?,
    ) else {
        return Ok(None);
    };
    Ok(Some(UserSummary {
        id: member,
        username,
        nick_name,
        head_pic,
    }))
}

/// Moves the locked rooms to their new seq, last message and activity time, and each sender's
/// read marker to their newest message, as `advance_rooms` and `mark_sent` do. On MySQL/MariaDB
/// that is one multi-table statement when the markers' rooms are exactly `rooms` (they always
/// are for a batch: a room advances only by its members' messages): for one room and a few
/// senders the room row joined to their markers by `CASE`, otherwise a JSON table in which each
/// marker row carries its room's new state.
pub async fn record_sends(
    conn: &impl ConnectionTrait,
    rooms: &[RoomSeq],
    markers: &[(UserId, i64, i64)],
) -> Result<(), DbErr> {
    let marked: BTreeSet<i64> = markers.iter().map(|(_, room, _)| *room).collect();
    let advanced: BTreeSet<i64> = rooms.iter().map(|room| room.id).collect();
    if !is_mysql(conn) || rooms.is_empty() || marked != advanced {
        advance_rooms(conn, rooms).await?;
        return mark_sent(conn, markers).await;
    }
    if let [room] = rooms
        && markers.len() <= FEW_SENDERS
    {
        return record_sends_in_room(conn, room, markers).await;
    }
    let by_id: HashMap<i64, &RoomSeq> = rooms.iter().map(|room| (room.id, room)).collect();
    let sql = format!(
        "UPDATE {} STRAIGHT_JOIN user_chatroom m FORCE INDEX (PRIMARY) \
         ON m.user_id = v.u AND m.chatroom_id = v.r \
         STRAIGHT_JOIN chatroom c FORCE INDEX (PRIMARY) ON c.id = v.r \
         SET m.last_read_seq = v.s, c.last_seq = v.rs, c.last_message_id = v.rm, \
         c.update_time = v.rt",
        json_table(&[
            "u BIGINT",
            "r BIGINT",
            "s BIGINT",
            "rs BIGINT",
            "rm BIGINT",
            "rt DATETIME(6)"
        ]),
    );
    let mut rows = Vec::with_capacity(markers.len());
    for (user, room, seq) in markers {
        let Some(state) = by_id.get(room) else {
            continue; // not reached: the markers' rooms are `rooms`
        };
        let time = state
            .update_time
            .format("%Y-%m-%d %H:%M:%S%.6f")
            .to_string();
        rows.push(serde_json::json!([
            user.get(),
            room,
            seq,
            state.last_seq,
            state.last_message_id,
            time
        ]));
    }
    execute(conn, sql, vec![json_rows(rows)?]).await
}

/// Up to this many senders in a one-room batch, their markers are set by `CASE` rather than
/// from a JSON table: MariaDB builds `JSON_TABLE` into a temporary table on every execution,
/// which costs more than a short `CASE` (whose cost grows with the square of its length).
const FEW_SENDERS: usize = 8;

/// `record_sends` for one room and a few senders (their markers are rows of that room, locked
/// with it by `lock_for_sends`).
async fn record_sends_in_room(
    conn: &impl ConnectionTrait,
    room: &RoomSeq,
    markers: &[(UserId, i64, i64)],
) -> Result<(), DbErr> {
    let sql = format!(
        "UPDATE chatroom c FORCE INDEX (PRIMARY) STRAIGHT_JOIN user_chatroom m FORCE INDEX (PRIMARY) \
         ON m.chatroom_id = c.id AND m.user_id IN ({}) \
         SET m.last_read_seq = CASE m.user_id {} ELSE m.last_read_seq END, \
         c.last_seq = ?, c.last_message_id = ?, c.update_time = ? WHERE c.id = ?",
        marks(markers.len(), "?"),
        marks(markers.len(), "WHEN ? THEN ?").replace(", ", " "),
    );
    let mut values: Vec<Value> = Vec::with_capacity(markers.len() * 3 + 4);
    values.extend(markers.iter().map(|(user, _, _)| Value::from(user.get())));
    values.extend(
        markers
            .iter()
            .flat_map(|(user, _, seq)| [Value::from(user.get()), Value::from(*seq)]),
    );
    values.extend([
        room.last_seq.into(),
        room.last_message_id.into(),
        room.update_time.into(),
        room.id.into(),
    ]);
    execute(conn, sql, values).await
}
