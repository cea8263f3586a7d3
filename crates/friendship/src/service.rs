//! `FriendshipService` and the connection-generic helpers other modules use inside their own
//! transactions (agreeing a friend request creates the friendship).
use crate::entity::{ActiveModel, Column, Entity as Friendship};
use crate::error::FriendshipError;
use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use user::entity::{Column as UserColumn, Entity as Users};
use user::{Page, PageRequest, SearchText, UserId, UserSummary, name_contains};

#[async_trait]
pub trait FriendshipService: Send + Sync {
    /// My friends, optionally those whose username or nickname contains `name`, by nickname.
    async fn list(
        &self,
        user: UserId,
        name: Option<&SearchText>,
        page: PageRequest,
    ) -> Result<Page<UserSummary>, FriendshipError>;
    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, FriendshipError>;
    /// Ends the friendship in both directions at once.
    async fn remove(&self, user: UserId, friend: UserId) -> Result<(), FriendshipError>;
}

pub struct SeaFriendshipService {
    db: DatabaseConnection,
}

impl SeaFriendshipService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Makes `a` and `b` friends: both rows, leaving existing ones as they are.
pub async fn befriend(conn: &impl ConnectionTrait, a: UserId, b: UserId) -> Result<(), DbErr> {
    let now = user::time::now();
    let row = |from: UserId, to: UserId| ActiveModel {
        user_id: Set(from.get()),
        friend_id: Set(to.get()),
        create_time: Set(now),
        update_time: Set(now),
    };
    Friendship::insert_many([row(a, b), row(b, a)])
        .on_conflict_do_nothing_on([Column::UserId, Column::FriendId])
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether `a` counts `b` as a friend (rows exist in both directions or neither).
pub async fn are_friends(conn: &impl ConnectionTrait, a: UserId, b: UserId) -> Result<bool, DbErr> {
    let found = Friendship::find_by_id((a.get(), b.get())).one(conn).await?;
    Ok(found.is_some())
}

#[async_trait]
impl FriendshipService for SeaFriendshipService {
    async fn list(
        &self,
        user: UserId,
        name: Option<&SearchText>,
        page: PageRequest,
    ) -> Result<Page<UserSummary>, FriendshipError> {
        let friend_ids = Query::select()
            .column(Column::FriendId)
            .from(Friendship)
            .and_where(Expr::col(Column::UserId).eq(user.get()))
            .to_owned();
        let mut query = Users::find().filter(UserColumn::Id.in_subquery(friend_ids));
        if let Some(name) = name {
            query = query.filter(name_contains(name));
        }
        let total = query.clone().count(&self.db).await?;
        let friends = query
            .order_by(Func::lower(Expr::col(UserColumn::NickName)), Order::Asc)
            .order_by_asc(UserColumn::Id)
            .offset(page.offset())
            .limit(page.page_size())
            .all(&self.db)
            .await?;
        Ok(Page::new(
            friends.into_iter().map(UserSummary::from).collect(),
            total,
            page,
        ))
    }

    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, FriendshipError> {
        Ok(are_friends(&self.db, a, b).await?)
    }

    #[tracing::instrument(skip_all, fields(user_id = user.get()), err)]
    async fn remove(&self, user: UserId, friend: UserId) -> Result<(), FriendshipError> {
        let txn = self.db.begin().await?;
        let pair =
            |a: UserId, b: UserId| Column::UserId.eq(a.get()).and(Column::FriendId.eq(b.get()));
        let removed = Friendship::delete_many()
            .filter(pair(user, friend).or(pair(friend, user)))
            .exec(&txn)
            .await?;
        if removed.rows_affected == 0 {
            return Err(FriendshipError::NotFriends);
        }
        txn.commit().await?;
        Ok(())
    }
}
