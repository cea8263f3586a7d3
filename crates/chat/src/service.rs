//! `ChatService`: send a message through the write pipeline, read history and the room list.
use crate::batch::Outgoing;
use crate::error::ChatError;
use crate::message::ChatMessage;
use crate::messages::messages_page;
use crate::pipeline::SendQueue;
use crate::room_list::{RoomListItem, room_list};
use crate::types::{ClientId, History, HistoryCursor, MessageBody, Posted};
use ::chatroom::require_member;
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use user::{Page, PageRequest, SearchText, UserId};

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
    /// My rooms, most recent activity first, each with its last message and my unread count;
    /// `name` filters by the shown name.
    async fn rooms(
        &self,
        me: UserId,
        name: Option<&SearchText>,
        page: PageRequest,
    ) -> Result<Page<RoomListItem>, ChatError>;
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
    queue: SendQueue,
}

impl SeaChatService {
    /// Reads go to `db`; sends go through `queue`, the write pipeline.
    pub fn new(db: DatabaseConnection, queue: SendQueue) -> Self {
        Self { db, queue }
    }
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
        let send = Outgoing {
            sender,
            room,
            client_id: client_id.clone(),
            body: body.clone(),
        };
        self.queue.post(send).await
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

    async fn rooms(
        &self,
        me: UserId,
        name: Option<&SearchText>,
        page: PageRequest,
    ) -> Result<Page<RoomListItem>, ChatError> {
        Ok(room_list(&self.db, me, name, page).await?)
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
