//! Every read of `chat_history`, each one statement whatever the count: messages with their
//! senders joined (history, the room list's last messages, favorites, repeated clientIds) and
//! unread counts.
use crate::entity::{Column, Entity as ChatHistory, Relation};
use crate::message::{ChatMessage, MessageKind};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, Order,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};
use std::collections::HashMap;
use user::entity::Column as UserColumn;
use user::{UserId, UserSummary};

/// A message with its sender, as read by `with_sender`.
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

/// `chat_history` joined to its sender through `Relation::Sender`, with the columns of a
/// `MessageRow` (the sender's public fields only, never the password hash).
fn with_sender() -> Select<ChatHistory> {
    ChatHistory::find()
        .select_only()
        .columns([
            Column::Id,
            Column::ChatroomId,
            Column::Seq,
            Column::Content,
            Column::ClientId,
            Column::CreateTime,
        ])
        .column_as(Column::Kind, "kind")
        .join(JoinType::InnerJoin, Relation::Sender.def())
        .column_as(UserColumn::Id, "sender_id")
        .column_as(UserColumn::Username, "sender_username")
        .column_as(UserColumn::NickName, "sender_nick_name")
        .column_as(UserColumn::HeadPic, "sender_head_pic")
}

async fn query(
    conn: &impl ConnectionTrait,
    select: Select<ChatHistory>,
) -> Result<Vec<ChatMessage>, DbErr> {
    let rows = select.into_model::<MessageRow>().all(conn).await?;
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
    let select = with_sender()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(Column::Id);
    query(conn, select).await
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
    let matches = places.iter().fold(Condition::any(), |any, (room, seq)| {
        any.add(Column::ChatroomId.eq(*room).and(Column::Seq.eq(*seq)))
    });
    query(conn, with_sender().filter(matches)).await
}

/// The messages stored under these (sender, clientId) pairs, whichever room they are in.
pub async fn messages_by_client_ids(
    conn: &impl ConnectionTrait,
    keys: &[(i64, &str)],
) -> Result<Vec<ChatMessage>, DbErr> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let pair = Expr::tuple([Column::SenderId.into_expr(), Column::ClientId.into_expr()]);
    let keys = keys
        .iter()
        .map(|(sender, client_id)| (*sender, (*client_id).to_owned()));
    query(conn, with_sender().filter(pair.in_tuples(keys))).await
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
    let order = if newest { Order::Desc } else { Order::Asc };
    let select = with_sender()
        .filter(Column::ChatroomId.eq(room))
        .filter(Column::Seq.gt(after.unwrap_or(0)))
        .filter(Column::Seq.lt(before.unwrap_or(i64::MAX)))
        .order_by(Column::Seq, order)
        .limit(limit);
    let mut messages = query(conn, select).await?;
    if newest {
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
    let ranges = markers.iter().fold(Condition::any(), |any, (room, seq)| {
        any.add(Column::ChatroomId.eq(*room).and(Column::Seq.gt(*seq)))
    });
    let rows = ChatHistory::find()
        .select_only()
        .column(Column::ChatroomId)
        .column_as(Expr::col(Asterisk).count(), "unread")
        .filter(Column::SenderId.ne(user.get()))
        .filter(ranges)
        .group_by(Column::ChatroomId)
        .into_model::<UnreadRow>()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.chatroom_id, u64::try_from(row.unread).unwrap_or(0)))
        .collect())
}
