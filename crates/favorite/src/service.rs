//! `FavoriteService`: add (members only, idempotent through the unique pair), delete (owner
//! only) and a page of favorites with their messages, senders and rooms in one statement.
use crate::entity::{ActiveModel, Column, Entity as Favorites, Model};
use crate::error::FavoriteError;
use crate::types::{Added, Favorite, FavoriteItem, FavoriteRoom};
use async_trait::async_trait;
use chat::entity::Entity as ChatHistory;
use chatroom::{
    ChatMessage, MESSAGE_COLUMNS, MessageRow, SENDER_JOIN, SHOWN_NAME, is_member, other_member_join,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    Set, SqlErr, Statement, Value,
};
use user::{Page, PageRequest, UserId};

#[async_trait]
pub trait FavoriteService: Send + Sync {
    /// Keeps message `message` for `user`, who must be in its room; adding it again returns
    /// the first favorite.
    async fn add(&self, user: UserId, message: i64) -> Result<Added, FavoriteError>;
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

#[derive(FromQueryResult)]
struct FavoriteRow {
    favorite_id: i64,
    favorite_time: DateTime<Utc>,
    room_name: String,
    #[sea_orm(nested)]
    message: MessageRow,
}

impl From<FavoriteRow> for FavoriteItem {
    fn from(row: FavoriteRow) -> Self {
        let message = ChatMessage::from(row.message);
        FavoriteItem {
            id: row.favorite_id,
            create_time: row.favorite_time,
            chatroom: FavoriteRoom {
                id: message.chatroom_id,
                name: row.room_name,
            },
            message,
        }
    }
}

#[async_trait]
impl FavoriteService for SeaFavoriteService {
    #[tracing::instrument(skip_all, fields(user_id = user.0, message), err)]
    async fn add(&self, user: UserId, message: i64) -> Result<Added, FavoriteError> {
        let found = ChatHistory::find_by_id(message).one(&self.db).await?;
        let Some(found) = found else {
            return Err(FavoriteError::MessageNotFound);
        };
        if !is_member(&self.db, user, found.chatroom_id).await? {
            return Err(FavoriteError::MessageNotFound);
        }
        let now = user::time::now();
        let inserted = Favorites::insert(ActiveModel {
            user_id: Set(user.0),
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
            .filter(Column::UserId.eq(user.0))
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

    #[tracing::instrument(skip_all, fields(user_id = user.0, favorite), err)]
    async fn delete(&self, user: UserId, favorite: i64) -> Result<(), FavoriteError> {
        let removed = Favorites::delete_many()
            .filter(Column::Id.eq(favorite))
            .filter(Column::UserId.eq(user.0))
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
            .filter(Column::UserId.eq(user.0))
            .count(&self.db)
            .await?;
        let sql = format!(
            "SELECT f.id AS favorite_id, f.create_time AS favorite_time, \
             {SHOWN_NAME} AS room_name, {MESSAGE_COLUMNS} \
             FROM favorite f JOIN chat_history h ON h.id = f.chat_history_id {SENDER_JOIN} \
             JOIN chatroom c ON c.id = h.chatroom_id{} \
             WHERE f.user_id = ? ORDER BY f.id DESC LIMIT ? OFFSET ?",
            other_member_join("f.user_id")
        );
        let statement = Statement::from_sql_and_values(
            self.db.get_database_backend(),
            sql,
            [
                Value::from(user.0),
                Value::from(page.page_size()),
                Value::from(page.offset()),
            ],
        );
        let rows = FavoriteRow::find_by_statement(statement)
            .all(&self.db)
            .await?;
        Ok(Page::new(
            rows.into_iter().map(FavoriteItem::from).collect(),
            total,
            page,
        ))
    }
}
