//! One batch of sends, stored in one transaction: the rooms locked once each (in id order), the
//! membership of the whole batch in one query, repeated client ids answered from what is stored,
//! seqs assigned in queue order, one multi-row insert, the senders' read markers in one
//! statement, one commit. A refused send does not fail the others.
use crate::entity::{ActiveModel, Column, Entity as Messages};
use crate::error::ChatError;
use crate::types::{ClientId, MessageBody, Posted};
use ::chatroom::{
    ChatMessage, RoomSeq, advance_rooms, lock_rooms, mark_sent, members_among,
    messages_by_client_ids,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// Stores `sends` in one transaction. `Err` only when the transaction itself failed (nothing of
/// the batch is stored then).
pub async fn store_batch(db: &DatabaseConnection, sends: &[Outgoing]) -> Result<Answers, DbErr> {
    let txn = db.begin().await?;
    let rooms: BTreeSet<i64> = sends.iter().map(|send| send.room).collect();
    let rooms: Vec<i64> = rooms.into_iter().collect();
    // Locked before anything is read: an exit or a send from another gateway that committed
    // first is visible below, and one that comes later waits for this commit.
    let mut locked: BTreeMap<i64, RoomSeq> = lock_rooms(&txn, &rooms)
        .await?
        .into_iter()
        .map(|room| (room.id, room))
        .collect();
    let pairs: BTreeSet<(UserId, i64)> = sends.iter().map(|s| (s.sender, s.room)).collect();
    let pairs: Vec<(UserId, i64)> = pairs.into_iter().collect();
    let members = members_among(&txn, &pairs).await?;
    let keys: BTreeSet<(i64, &str)> = sends
        .iter()
        .map(|s| (s.sender.0, s.client_id.as_str()))
        .collect();
    let keys: Vec<(i64, &str)> = keys.into_iter().collect();
    let mut claimed: HashMap<(i64, String), ChatMessage> = messages_by_client_ids(&txn, &keys)
        .await?
        .into_iter()
        .map(|message| ((message.sender.id, message.client_id.clone()), message))
        .collect();

    let now = user::time::now();
    let mut plan: Vec<Planned> = Vec::with_capacity(sends.len());
    let mut new_rows: Vec<ChatMessage> = Vec::new();
    for send in sends {
        let member = members.get(&(send.sender, send.room));
        let (Some(sender), Some(room)) = (member, locked.get_mut(&send.room)) else {
            plan.push(Planned::Refused);
            continue;
        };
        let key = (send.sender.0, send.client_id.as_str().to_owned());
        if let Some(first) = claimed.get(&key) {
            plan.push(Planned::Repeat(first.clone()));
            continue;
        }
        // Times follow seq: never before the room's latest activity.
        room.last_seq += 1;
        room.update_time = room.update_time.max(now);
        let message = ChatMessage {
            id: 0,
            chatroom_id: room.id,
            seq: room.last_seq,
            kind: send.body.kind(),
            content: send.body.content().to_owned(),
            create_time: room.update_time,
            sender: sender.clone(),
            client_id: send.client_id.as_str().to_owned(),
        };
        claimed.insert(key, message.clone());
        plan.push(Planned::New(new_rows.len()));
        new_rows.push(message);
    }

    if !new_rows.is_empty() {
        let touched: BTreeSet<i64> = new_rows.iter().map(|m| m.chatroom_id).collect();
        let touched: Vec<RoomSeq> = touched
            .iter()
            .filter_map(|id| locked.get(id))
            .copied()
            .collect();
        advance_rooms(&txn, &touched).await?;
        insert_rows(&txn, &new_rows).await?;
        assign_ids(&txn, &mut new_rows).await?;
        let mut read_up_to: BTreeMap<(UserId, i64), i64> = BTreeMap::new();
        for message in &new_rows {
            read_up_to.insert(
                (UserId(message.sender.id), message.chatroom_id),
                message.seq,
            );
        }
        let markers: Vec<(UserId, i64, i64)> = read_up_to
            .into_iter()
            .map(|((user, room), seq)| (user, room, seq))
            .collect();
        mark_sent(&txn, &markers).await?;
    }
    txn.commit().await?;

    // A repeat of a send made in this same batch answers with the id the insert gave it.
    let by_key: HashMap<(i64, &str), &ChatMessage> = new_rows
        .iter()
        .map(|m| ((m.sender.id, m.client_id.as_str()), m))
        .collect();
    Ok(plan
        .into_iter()
        .map(|planned| match planned {
            Planned::Refused => Err(ChatError::RoomNotFound),
            Planned::New(index) => Ok(Posted {
                message: new_rows[index].clone(),
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
        .collect())
}

enum Planned {
    Refused,
    /// An index into the new rows.
    New(usize),
    /// The message first stored under this clientId (its id is 0 if it is new in this batch).
    Repeat(ChatMessage),
}

async fn insert_rows(conn: &impl ConnectionTrait, rows: &[ChatMessage]) -> Result<(), DbErr> {
    let models = rows.iter().map(|message| ActiveModel {
        chatroom_id: Set(message.chatroom_id),
        seq: Set(message.seq),
        sender_id: Set(message.sender.id),
        kind: Set(message.kind.to_db()),
        content: Set(message.content.clone()),
        client_id: Set(message.client_id.clone()),
        create_time: Set(message.create_time),
        update_time: Set(message.create_time),
        ..Default::default()
    });
    Messages::insert_many(models).exec(conn).await?;
    Ok(())
}

/// Reads back the ids the insert gave: one statement over each room's new seq range (MySQL
/// cannot return them, and its auto-increment need not be consecutive for a multi-row insert).
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
    for message in rows.iter_mut() {
        message.id = ids
            .get(&(message.chatroom_id, message.seq))
            .copied()
            .ok_or_else(|| DbErr::RecordNotFound("a message just inserted".to_owned()))?;
    }
    Ok(())
}
