//! `ChatService`: send a message through the write pipeline, read history and the room list.
use crate::batch::Outgoing;
use crate::error::ChatError;
use crate::message::ChatMessage;
use crate::messages::messages_page;
use crate::pipeline::SendQueue;
use crate::room_list::{RoomListItem, room_list};
use crate::types::{ClientId, History, HistoryCursor, MessageBody, Posted};
use ::chatroom::{RoomId, Seq, require_member};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use user::{Page, PageRequest, SearchText, UserId};

#[async_trait]
pub trait ChatService: Send + Sync {
    /// Stores a message from a member; the same (sender, clientId) again returns the first one.
    async fn post_message(
        &self,
        sender: UserId,
        room: RoomId,
        client_id: &ClientId,
        body: &MessageBody,
    ) -> Result<Posted, ChatError>;
    async fn history(
        &self,
        user: UserId,
        room: RoomId,
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
    async fn last_seq(&self, user: UserId, room: RoomId) -> Result<Seq, ChatError>;
    /// What a member missed since `after`: the newest `limit` of them, ascending.
    async fn replay(
        &self,
        user: UserId,
        room: RoomId,
        after: Seq,
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
    #[tracing::instrument(skip_all, fields(user_id = sender.get(), room), err)]
    async fn post_message(
        &self,
        sender: UserId,
        room: RoomId,
        client_id: &ClientId,
        body: &MessageBody,
    ) -> Result<Posted, ChatError> {
        let send = Outgoing {
            sender,
            room: room.get(),
            client_id: client_id.clone(),
            body: body.clone(),
        };
        self.queue.post(send).await
    }

    async fn history(
        &self,
        user: UserId,
        room: RoomId,
        cursor: HistoryCursor,
    ) -> Result<History, ChatError> {
        require_member(&self.db, user, room).await?;
        // One more than asked tells whether there is more.
        let after = cursor.after().map(Seq::get);
        let bounds = (after, cursor.before().map(Seq::get));
        let limit = cursor.limit();
        let mut items =
            messages_page(&self.db, room.get(), bounds, limit + 1, after.is_none()).await?;
        let has_more = items.len() as u64 > limit;
        if has_more {
            if after.is_some() {
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

    async fn last_seq(&self, user: UserId, room: RoomId) -> Result<Seq, ChatError> {
        Ok(Seq::new(
            require_member(&self.db, user, room).await?.last_seq,
        ))
    }

    async fn replay(
        &self,
        user: UserId,
        room: RoomId,
        after: Seq,
        limit: u64,
    ) -> Result<Vec<ChatMessage>, ChatError> {
        require_member(&self.db, user, room).await?;
        let bounds = (Some(after.get()), None);
        Ok(messages_page(&self.db, room.get(), bounds, limit, true).await?)
    }
}
