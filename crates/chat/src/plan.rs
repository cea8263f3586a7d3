//! What a batch will do, decided before anything is written: which sends are refused, which
//! repeat a stored message, and the seq and time of each new one. Pure, so the batch can plan
//! again when the database reveals a repeated clientId.
use crate::batch::Outgoing;
use crate::message::ChatMessage;
use ::chatroom::RoomSeq;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use user::{UserId, UserSummary};

pub(crate) enum Planned {
    /// Not a member, or no such room.
    Refused,
    /// An index into the new rows.
    New(usize),
    /// The message first stored under this clientId (id 0 while it is new in this batch).
    Repeat(ChatMessage),
}

pub(crate) struct Plan {
    /// One per send, in order.
    pub answers: Vec<Planned>,
    /// The messages to insert, ids still 0.
    pub new_rows: Vec<ChatMessage>,
    /// The rooms that get new messages, with their new seq and activity time.
    pub rooms: Vec<RoomSeq>,
}

/// `stored`: messages already in the database under some of the batch's (sender, clientId).
pub(crate) fn plan(
    sends: &[Outgoing],
    members: &HashMap<(UserId, i64), UserSummary>,
    locked: &BTreeMap<i64, RoomSeq>,
    mut stored: HashMap<(i64, String), ChatMessage>,
    now: DateTime<Utc>,
) -> Plan {
    let mut rooms = locked.clone();
    let mut answers = Vec::with_capacity(sends.len());
    let mut new_rows: Vec<ChatMessage> = Vec::new();
    for send in sends {
        let member = members.get(&(send.sender, send.room));
        let (Some(sender), Some(room)) = (member, rooms.get_mut(&send.room)) else {
            answers.push(Planned::Refused);
            continue;
        };
        let key = (send.sender.get(), send.client_id.as_str().to_owned());
        if let Some(first) = stored.get(&key) {
            answers.push(Planned::Repeat(first.clone()));
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
        stored.insert(key, message.clone());
        answers.push(Planned::New(new_rows.len()));
        new_rows.push(message);
    }
    let rooms = rooms
        .into_values()
        .filter(|room| locked.get(&room.id) != Some(room))
        .collect();
    Plan {
        answers,
        new_rows,
        rooms,
    }
}

impl Plan {
    /// Once the new rows have their ids: each room's last message is its newest new row.
    pub fn note_last_messages(&mut self) {
        let newest: HashMap<i64, i64> = self
            .new_rows
            .iter()
            .map(|message| (message.chatroom_id, message.id))
            .collect();
        for room in &mut self.rooms {
            if let Some(id) = newest.get(&room.id) {
                room.last_message_id = Some(*id);
            }
        }
    }
}
