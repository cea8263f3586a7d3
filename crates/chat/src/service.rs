//! `ChatService`: persist a message in its room's order, read history.
use crate::entity::{ActiveModel, Column, Entity as Messages};
use crate::error::ChatError;
use crate::types::{ClientId, History, HistoryCursor, MessageBody, Posted};
use ::chatroom::entity::{chatroom, user_chatroom};
use ::chatroom::{ChatMessage, member_summary, messages_by_ids, messages_page, require_member};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, SqlErr, TransactionTrait,
};
use user::UserId;

#[async_trait]
pub trait ChatService: Send + Sync {
    /// Stores a message from a member; the same (sender, clientId) again returns the first one.
    async fn post_message(
        &self,
        sender: UserId,
        room: i64,
        client_id: &ClientId,
        body: &MessageBody,
    ) -> Result<Posted, ChatError>;
    async fn history(
        &self,
        user: UserId,
        room: i64,
        cursor: HistoryCursor,
    ) -> Result<History, ChatError>;
    /// The room's newest seq, for a member.
    async fn last_seq(&self, user: UserId, room: i64) -> Result<i64, ChatError>;
    /// What a member missed since `after`: the newest `limit` of them, ascending.
    async fn replay(
        &self,
        user: UserId,
        room: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ChatMessage>, ChatError>;
}

pub struct SeaChatService {
    db: DatabaseConnection,
}

impl SeaChatService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The id of `sender`'s message with this client id, if any.
async fn stored_id(
    conn: &impl ConnectionTrait,
    sender: UserId,
    client_id: &ClientId,
) -> Result<Option<i64>, ChatError> {
    Ok(Messages::find()
        .filter(Column::SenderId.eq(sender.0))
        .filter(Column::ClientId.eq(client_id.as_str()))
        .select_only()
        .column(Column::Id)
        .into_tuple::<i64>()
        .one(conn)
        .await?)
}

#[async_trait]
impl ChatService for SeaChatService {
    #[tracing::instrument(skip_all, fields(user_id = sender.0, room), err)]
    async fn post_message(
        &self,
        sender: UserId,
        room: i64,
        client_id: &ClientId,
        body: &MessageBody,
    ) -> Result<Posted, ChatError> {
        // Outsiders are refused before any lock: they cannot hold up a room's real senders.
        if member_summary(&self.db, sender, room).await?.is_none() {
            return Err(ChatError::RoomNotFound);
        }
        let txn = self.db.begin().await?;
        // The room row's lock is taken first, by every change to a room's seq or members: senders
        // line up (seq is gapless, and commits in seq order), and whatever committed before we
        // got the lock (an exit, the same clientId from another tab) is visible below. The time
        // only moves forward, even if `now` was read before the wait: times follow seq.
        let now = user::time::now();
        let later = Expr::case(
            Expr::col(chatroom::Column::UpdateTime).gt(now),
            Expr::col(chatroom::Column::UpdateTime),
        )
        .finally(Expr::value(now));
        let bumped = chatroom::Entity::update_many()
            .col_expr(
                chatroom::Column::LastSeq,
                Expr::col(chatroom::Column::LastSeq).add(1),
            )
            .col_expr(chatroom::Column::UpdateTime, later.into())
            .filter(chatroom::Column::Id.eq(room))
            .exec(&txn)
            .await?;
        let sender_summary = match bumped.rows_affected {
            0 => None,
            _ => member_summary(&txn, sender, room).await?,
        };
        let Some(sender_summary) = sender_summary else {
            txn.rollback().await?;
            return Err(ChatError::RoomNotFound);
        };
        let (seq, time) = chatroom::Entity::find_by_id(room)
            .select_only()
            .column(chatroom::Column::LastSeq)
            .column(chatroom::Column::UpdateTime)
            .into_tuple::<(i64, DateTime<Utc>)>()
            .one(&txn)
            .await?
            .ok_or(ChatError::RoomNotFound)?;
        let inserted = ActiveModel {
            chatroom_id: Set(room),
            seq: Set(seq),
            sender_id: Set(sender.0),
            kind: Set(body.kind().to_db()),
            content: Set(body.content().to_owned()),
            client_id: Set(client_id.as_str().to_owned()),
            create_time: Set(time),
            update_time: Set(time),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let inserted = match inserted {
            Ok(inserted) => inserted,
            // A repeated client id: nothing is stored (the seq bump is undone), the first
            // message is the answer.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                let id = stored_id(&self.db, sender, client_id)
                    .await?
                    .ok_or(ChatError::Database(err))?;
                let message = messages_by_ids(&self.db, &[id]).await?.pop();
                return Ok(Posted {
                    message: message.ok_or(ChatError::RoomNotFound)?,
                    created: false,
                });
            }
            Err(err) => return Err(err.into()),
        };
        // Sending counts as having read up to your own message.
        user_chatroom::Entity::update_many()
            .col_expr(user_chatroom::Column::LastReadSeq, Expr::value(seq))
            .filter(user_chatroom::Column::UserId.eq(sender.0))
            .filter(user_chatroom::Column::ChatroomId.eq(room))
            .filter(user_chatroom::Column::LastReadSeq.lt(seq))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        let message = ChatMessage {
            id: inserted.id,
            chatroom_id: room,
            seq,
            kind: body.kind(),
            content: inserted.content,
            create_time: time,
            sender: sender_summary,
            client_id: inserted.client_id,
        };
        Ok(Posted {
            message,
            created: true,
        })
    }

    async fn history(
        &self,
        user: UserId,
        room: i64,
        cursor: HistoryCursor,
    ) -> Result<History, ChatError> {
        require_member(&self.db, user, room).await?;
        // One more than asked tells whether there is more.
        let bounds = (cursor.after, cursor.before);
        let newest = cursor.after.is_none();
        let mut items = messages_page(&self.db, room, bounds, cursor.limit + 1, newest).await?;
        let has_more = items.len() as u64 > cursor.limit;
        if has_more {
            if cursor.after.is_some() {
                items.pop();
            } else {
                items.remove(0);
            }
        }
        Ok(History { items, has_more })
    }

    async fn last_seq(&self, user: UserId, room: i64) -> Result<i64, ChatError> {
        Ok(require_member(&self.db, user, room).await?.last_seq)
    }

    async fn replay(
        &self,
        user: UserId,
        room: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ChatMessage>, ChatError> {
        require_member(&self.db, user, room).await?;
        Ok(messages_page(&self.db, room, (Some(after), None), limit, true).await?)
    }
}
