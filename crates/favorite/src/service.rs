//! `FavoriteService`: add (members only, idempotent through the unique pair), delete (owner
//! only) and a page of favorites with their messages, senders and rooms in four statements
//! whatever the page size (the messages through the chat module, the rooms' names through
//! the chatroom module).
use crate::entity::{ActiveModel, Column, Entity as Favorites, Model};
use crate::error::FavoriteError;
use crate::types::{Added, Favorite, FavoriteItem, FavoriteRoom};
use async_trait::async_trait;
use chat::entity::Entity as ChatHistory;
use chat::{ChatMessage, MessageId, messages_by_ids};
use chatroom::{RoomId, is_member, room_names};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use std::collections::HashMap;
use user::{Page, PageRequest, UserId};

#[async_trait]
pub trait FavoriteService: Send + Sync {
    /// Keeps message `message` for `user`, who must be in its room; adding it again returns
    /// the first favorite.
    async fn add(&self, user: UserId, message: MessageId) -> Result<Added, FavoriteError>;
    /// Removes one of `user`'s favorites.
    async fn delete(&self, user: UserId, favorite: i64) -> Result<(), FavoriteError>;
    /// `user`'s favorites, newest first. They stay after the user leaves the room: they are
    /// the user's own copy.
    async fn list(
        &self,
        user: UserId,
        page: PageRequest,
    ) -> Result<Page<FavoriteItem>, FavoriteError>;
}

pub struct SeaFavoriteService {
    db: DatabaseConnection,
}

impl SeaFavoriteService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl From<Model> for Favorite {
    fn from(model: Model) -> Self {
        Favorite {
            id: model.id,
            chat_history_id: model.chat_history_id,
            create_time: model.create_time,
        }
    }
}

#[async_trait]
impl FavoriteService for SeaFavoriteService {
    #[tracing::instrument(skip_all, fields(user_id = user.get(), message), err)]
    async fn add(&self, user: UserId, message: MessageId) -> Result<Added, FavoriteError> {
        let message = message.get();
        let found = ChatHistory::find_by_id(message).one(&self.db).await?;
        let Some(found) = found else {
            return Err(FavoriteError::MessageNotFound);
        };
        if !is_member(&self.db, user, RoomId::new(found.chatroom_id)).await? {
            return Err(FavoriteError::MessageNotFound);
        }
        let now = user::time::now();
        let inserted = Favorites::insert(ActiveModel {
            user_id: Set(user.get()),
            chat_history_id: Set(message),
            create_time: Set(now),
            update_time: Set(now),
            ..Default::default()
        })
        .exec(&self.db)
        .await;
        // The unique pair is the authority: a repeat (or a racing twin) finds the first one.
        let created = match inserted {
            Ok(_) => true,
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                false
            }
            Err(err) => return Err(err.into()),
        };
        let favorite = Favorites::find()
            .filter(Column::UserId.eq(user.get()))
            .filter(Column::ChatHistoryId.eq(message))
            .one(&self.db)
            .await?
            // Only a concurrent delete of the message between the two statements gets here.
            .ok_or(FavoriteError::MessageNotFound)?;
        Ok(Added {
            favorite: favorite.into(),
            created,
        })
    }

    #[tracing::instrument(skip_all, fields(user_id = user.get(), favorite), err)]
    async fn delete(&self, user: UserId, favorite: i64) -> Result<(), FavoriteError> {
        let removed = Favorites::delete_many()
            .filter(Column::Id.eq(favorite))
            .filter(Column::UserId.eq(user.get()))
            .exec(&self.db)
            .await?;
        if removed.rows_affected == 0 {
            return Err(FavoriteError::NotFound);
        }
        Ok(())
    }

    async fn list(
        &self,
        user: UserId,
        page: PageRequest,
    ) -> Result<Page<FavoriteItem>, FavoriteError> {
        let total = Favorites::find()
            .filter(Column::UserId.eq(user.get()))
            .count(&self.db)
            .await?;
        let kept = Favorites::find()
            .filter(Column::UserId.eq(user.get()))
            .order_by_desc(Column::Id)
            .limit(page.page_size())
            .offset(page.offset())
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = kept.iter().map(|f| f.chat_history_id).collect();
        let mut messages: HashMap<i64, ChatMessage> = messages_by_ids(&self.db, &ids)
            .await?
            .into_iter()
            .map(|message| (message.id, message))
            .collect();
        let mut rooms: Vec<i64> = messages.values().map(|m| m.chatroom_id).collect();
        rooms.sort_unstable();
        rooms.dedup();
        let names = room_names(&self.db, user, &rooms).await?;
        let items = kept
            .into_iter()
            .filter_map(|favorite| {
                let message = messages.remove(&favorite.chat_history_id)?;
                let name = names.get(&message.chatroom_id).cloned().unwrap_or_default();
                Some(FavoriteItem {
                    id: favorite.id,
                    create_time: favorite.create_time,
                    chatroom: FavoriteRoom {
                        id: message.chatroom_id,
                        name,
                    },
                    message,
                })
            })
            .collect();
        Ok(Page::new(items, total, page))
    }
}
