//! One batch of sends, stored in one transaction: the rooms locked once each (in id order), the
//! membership of the whole batch in one query, seqs assigned in queue order, one multi-row
//! insert, the rooms' seqs and the senders' read markers, one commit. On MySQL/MariaDB a
//! one-room batch locks and reads memberships in one statement, and the rooms and markers move in
//! one: a lone message is BEGIN, three statements and COMMIT, and so is a one-room batch of
//! several on MariaDB (its insert returns the ids it gave; elsewhere a fourth statement reads them
//! back). A refused send does not fail the others. A repeated clientId (in this batch or an
//! earlier one) answers with the stored message and uses no seq.
use crate::entity::{ActiveModel, Column, Entity as Messages};
use crate::error::ChatError;
use crate::known_senders::KnownSenders;
use crate::message::ChatMessage;
use crate::messages::messages_by_client_ids;
use crate::plan::{Plan, Planned, plan};
use crate::types::{ClientId, MessageBody, Posted};
use ::chatroom::{LockedForSends, RoomSeq, lock_for_sends, record_sends};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    IdenStatic, QueryFilter, QuerySelect, QueryTrait, RuntimeErr, Set, SqlErr, Statement,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;
use user::UserId;

/// A message on its way into a room.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub sender: UserId,
    pub room: i64,
    pub client_id: ClientId,
    pub body: MessageBody,
}

/// What a batch answers, one entry per send in the order given.
pub type Answers = Vec<Result<Posted, ChatError>>;

/// Stores `sends` in `txn`, a transaction begun for them, and commits it. `Err` only when the
/// transaction itself failed (nothing of the batch is stored then).
pub async fn store_in(
    txn: DatabaseTransaction,
    sends: &[Outgoing],
    ids: &mut InsertedIds,
    senders: &mut KnownSenders,
) -> Result<Answers, DbErr> {
    let rooms: BTreeSet<i64> = sends.iter().map(|send| send.room).collect();
    let rooms: Vec<i64> = rooms.into_iter().collect();
    // Locked before anything is read: an exit or a send from another gateway that committed
    // first is visible below, and one that comes later waits for this commit.
    let pairs: BTreeSet<(UserId, i64)> = sends.iter().map(|s| (s.sender, s.room)).collect();
    let pairs: Vec<(UserId, i64)> = pairs.into_iter().collect();
    let known = senders.fresh_among(pairs.iter().map(|(user, _)| *user), Instant::now());
    let LockedForSends {
        rooms,
        members,
        summaries_read,
    } = lock_for_sends(&txn, &rooms, &pairs, &known).await?;
    if summaries_read {
        senders.learn(members.values(), Instant::now());
    }
    let locked: BTreeMap<i64, RoomSeq> = rooms.into_iter().map(|room| (room.id, room)).collect();
    let now = user::time::now();

    // Optimistic: a clientId is nearly always new, so the batch is inserted without looking
    // for earlier ones; the unique (sender, clientId) index says when one was not. A duplicate
    // key fails that statement alone and leaves the transaction (and its locks) as they were,
    // on MariaDB as on SQLite.
    let mut batch = plan(sends, &members, &locked, HashMap::new(), now);
    if let Err(err) = insert_rows(&txn, &mut batch.new_rows, ids).await {
        if !matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
            return Err(err);
        }
        let stored = stored_under_client_ids(&txn, sends).await?;
        batch = plan(sends, &members, &locked, stored, now);
        insert_rows(&txn, &mut batch.new_rows, ids).await?;
    }
    if !batch.new_rows.is_empty() {
        batch.note_last_messages();
        record_sends(&txn, &batch.rooms, &read_markers(&batch.new_rows)).await?;
    }
    txn.commit().await?;
    Ok(answers(batch))
}

/// The messages already stored under the batch's (sender, clientId) pairs.
async fn stored_under_client_ids(
    conn: &impl ConnectionTrait,
    sends: &[Outgoing],
) -> Result<HashMap<(i64, String), ChatMessage>, DbErr> {
    let keys: BTreeSet<(i64, &str)> = sends
        .iter()
        .map(|s| (s.sender.get(), s.client_id.as_str()))
        .collect();
    let keys: Vec<(i64, &str)> = keys.into_iter().collect();
    Ok(messages_by_client_ids(conn, &keys)
        .await?
        .into_iter()
        .map(|message| ((message.sender.id, message.client_id.clone()), message))
        .collect())
}

/// Each sender's marker moves to their newest message in each room.
fn read_markers(rows: &[ChatMessage]) -> Vec<(UserId, i64, i64)> {
    let mut newest: BTreeMap<(UserId, i64), i64> = BTreeMap::new();
    for message in rows {
        newest.insert(
            (UserId::new(message.sender.id), message.chatroom_id),
            message.seq,
        );
    }
    newest
        .into_iter()
        .map(|((user, room), seq)| (user, room, seq))
        .collect()
}

fn answers(batch: Plan) -> Answers {
    // A repeat of a send made in this same batch answers with the id the insert gave it.
    let by_key: HashMap<(i64, &str), &ChatMessage> = batch
        .new_rows
        .iter()
        .map(|m| ((m.sender.id, m.client_id.as_str()), m))
        .collect();
    batch
        .answers
        .iter()
        .map(|planned| match planned {
            Planned::Refused => Err(ChatError::RoomNotFound),
            Planned::New(index) => Ok(Posted {
                message: batch.new_rows[*index].clone(),
                created: true,
            }),
            Planned::Repeat(first) => {
                let key = (first.sender.id, first.client_id.as_str());
                let message = by_key.get(&key).map_or(first.clone(), |m| (*m).clone());
                Ok(Posted {
                    message,
                    created: false,
                })
            }
        })
        .collect()
}

/// How a multi-row insert learns the ids the database gave its rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InsertedIds {
    /// A second statement reads them back (MySQL, SQLite, or a server not asked yet).
    #[default]
    ReadBack,
    /// The insert returns them (`INSERT … RETURNING`, MariaDB 10.5 and later): one round trip
    /// less per batch.
    Returned,
}

impl InsertedIds {
    /// What `db` can do; `ReadBack` when it cannot be told (that way is right everywhere).
    pub async fn of(db: &impl ConnectionTrait) -> Self {
        if db.get_database_backend() != DbBackend::MySql {
            return Self::ReadBack;
        }
        let version = Statement::from_string(DbBackend::MySql, "SELECT VERSION() AS v");
        let version: Result<String, DbErr> = match db.query_one_raw(version).await {
            Ok(Some(row)) => row.try_get("", "v"),
            Ok(None) => Err(DbErr::RecordNotFound("VERSION()".to_owned())),
            Err(err) => Err(err),
        };
        match version {
            Ok(version) if returning_supported(&version) => {
                tracing::info!(%version, "message batches take their ids from INSERT … RETURNING");
                Self::Returned
            }
            Ok(version) => {
                tracing::info!(%version, "message batches read their ids back after the insert");
                Self::ReadBack
            }
            Err(err) => {
                tracing::warn!(%err, "the database's version is unknown: message batches read their ids back");
                Self::ReadBack
            }
        }
    }
}

/// `INSERT … RETURNING` came with MariaDB 10.5; MySQL has none.
fn returning_supported(version: &str) -> bool {
    if !version.contains("MariaDB") {
        return false;
    }
    let mut numbers = version.split(['.', '-']).map(|part| part.parse::<u32>());
    match (numbers.next(), numbers.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) >= (10, 5),
        _ => false,
    }
}

/// Inserts the rows and gives each its id. A server that rejects `RETURNING` as a syntax error
/// (the URL now leads to MySQL, say) turns `ids` to `ReadBack` for good, and the rows are
/// inserted again that way in the same transaction: a statement that does not parse never ran,
/// and leaves the transaction (and its locks) as they were.
async fn insert_rows(
    conn: &impl ConnectionTrait,
    rows: &mut [ChatMessage],
    ids: &mut InsertedIds,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    if *ids == InsertedIds::Returned && rows.len() > 1 {
        match insert_returning_ids(conn, rows).await {
            Err(err) if is_syntax_error(&err) => {
                tracing::warn!(%err, "INSERT … RETURNING was refused: message batches read their ids back from now on");
                *ids = InsertedIds::ReadBack;
            }
            inserted => return inserted,
        }
    }
    let inserted = insert_of(rows).exec(conn).await?;
    match (rows, inserted.last_insert_id) {
        // One row: the id the database reported is its own, on every backend.
        ([only], Some(id)) => only.id = id,
        (rows, _) => assign_ids(conn, rows).await?,
    }
    Ok(())
}

fn insert_of(rows: &[ChatMessage]) -> sea_orm::InsertMany<ActiveModel> {
    let models = rows.iter().map(|message| ActiveModel {
        chatroom_id: Set(message.chatroom_id),
        seq: Set(message.seq),
        sender_id: Set(message.sender.id),
        kind: Set(message.kind),
        content: Set(message.content.clone()),
        client_id: Set(message.client_id.clone()),
        create_time: Set(message.create_time),
        update_time: Set(message.create_time),
        ..Default::default()
    });
    Messages::insert_many(models)
}

/// One statement that inserts the rows and returns their ids (MariaDB 10.5 and later).
async fn insert_returning_ids(
    conn: &impl ConnectionTrait,
    rows: &mut [ChatMessage],
) -> Result<(), DbErr> {
    let (room, seq, id) = (
        Column::ChatroomId.as_str(),
        Column::Seq.as_str(),
        Column::Id.as_str(),
    );
    // sea-query writes no RETURNING for MySQL, whose syntax MariaDB extends: added here.
    let mut statement = insert_of(rows).build(DbBackend::MySql);
    statement
        .sql
        .push_str(&format!(" RETURNING `{room}`, `{seq}`, `{id}`"));
    let returned = conn.query_all_raw(statement).await?;
    let ids = returned
        .iter()
        .map(|row| {
            let key = (row.try_get::<i64>("", room)?, row.try_get::<i64>("", seq)?);
            Ok((key, row.try_get::<i64>("", id)?))
        })
        .collect::<Result<HashMap<_, _>, DbErr>>()?;
    give_ids(rows, &ids)
}

/// MySQL's "error in your SQL syntax" (1064).
fn is_syntax_error(err: &DbErr) -> bool {
    use sea_orm::sqlx::mysql::MySqlDatabaseError;
    let (DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err))) = err
    else {
        return false;
    };
    err.as_database_error()
        .and_then(|err| err.try_downcast_ref::<MySqlDatabaseError>())
        .is_some_and(|err| err.number() == 1064)
}

/// Reads back the ids a multi-row insert gave: one statement over each room's new seq range
/// (MySQL cannot return them, and its auto-increment need not be consecutive for such an insert).
async fn assign_ids(conn: &impl ConnectionTrait, rows: &mut [ChatMessage]) -> Result<(), DbErr> {
    let mut ranges: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for message in rows.iter() {
        let range = ranges
            .entry(message.chatroom_id)
            .or_insert((message.seq, message.seq));
        range.0 = range.0.min(message.seq);
        range.1 = range.1.max(message.seq);
    }
    let any = ranges
        .iter()
        .fold(Condition::any(), |any, (room, (low, high))| {
            any.add(
                Condition::all()
                    .add(Column::ChatroomId.eq(*room))
                    .add(Column::Seq.between(*low, *high)),
            )
        });
    let ids: HashMap<(i64, i64), i64> = Messages::find()
        .filter(any)
        .select_only()
        .column(Column::ChatroomId)
        .column(Column::Seq)
        .column(Column::Id)
        .into_tuple::<(i64, i64, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(room, seq, id)| ((room, seq), id))
        .collect();
    give_ids(rows, &ids)
}

/// Each row gets the id stored under its (room, seq).
fn give_ids(rows: &mut [ChatMessage], ids: &HashMap<(i64, i64), i64>) -> Result<(), DbErr> {
    for message in rows.iter_mut() {
        message.id = ids
            .get(&(message.chatroom_id, message.seq))
            .copied()
            .ok_or_else(|| DbErr::RecordNotFound("a message just inserted".to_owned()))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a panic is how a test reports
mod tests {
    use super::{is_syntax_error, returning_supported};
    use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

    #[tokio::test]
    async fn only_a_mysql_syntax_error_counts_as_a_refused_returning() {
        let db = test_support::empty_db().await.unwrap();
        let backend = db.conn.get_database_backend();
        let on_mysql = backend == DbBackend::MySql;
        // As a query (how the insert with RETURNING runs) and as a statement.
        let query = Statement::from_string(backend, "SELEC 1");
        let refused = db.conn.query_all_raw(query).await.unwrap_err();
        assert!(matches!(refused, DbErr::Query(_)), "{refused:?}");
        assert_eq!(is_syntax_error(&refused), on_mysql, "{refused}");
        let refused = db.conn.execute_unprepared("SELEC 1").await.unwrap_err();
        assert_eq!(is_syntax_error(&refused), on_mysql, "{refused}");
        let missing = Statement::from_string(backend, "SELECT * FROM nowhere");
        let missing = db.conn.query_all_raw(missing).await.unwrap_err();
        assert!(!is_syntax_error(&missing));
    }

    #[test]
    fn returning_is_used_from_mariadb_10_5_only() {
        assert!(returning_supported("10.11.19-MariaDB-0+deb12u1"));
        assert!(returning_supported("10.5.2-MariaDB"));
        assert!(returning_supported("11.4.3-MariaDB-ubu2404"));
        assert!(!returning_supported("10.4.34-MariaDB"));
        assert!(!returning_supported("8.0.39"));
        assert!(!returning_supported("MariaDB"));
    }
}
