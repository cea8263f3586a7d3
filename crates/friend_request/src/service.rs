//! `FriendRequestService` over SeaORM.
use crate::entity::{ActiveModel, Column, Entity as Requests, Model};
use crate::error::FriendRequestError;
use crate::types::{FriendRequestLists, FriendRequestView, Reason, RequestStatus, SendOutcome};
use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Set, SqlErr, TransactionTrait,
};
use std::collections::HashMap;
use user::entity::{Column as UserColumn, Entity as Users};
use user::{PageRequest, UserId, UserSummary, Username};

#[async_trait]
pub trait FriendRequestService: Send + Sync {
    /// Sends a request to the user named `to`; if they already asked you, agrees theirs instead.
    async fn send(
        &self,
        from: UserId,
        to: &Username,
        reason: Reason,
    ) -> Result<SendOutcome, FriendRequestError>;
    async fn list(
        &self,
        user: UserId,
        page: PageRequest,
    ) -> Result<FriendRequestLists, FriendRequestError>;
    /// Only the addressee, only while pending; creates the friendship.
    async fn agree(&self, user: UserId, id: i64) -> Result<FriendRequestView, FriendRequestError>;
    /// Only the addressee, only while pending.
    async fn reject(&self, user: UserId, id: i64) -> Result<FriendRequestView, FriendRequestError>;
}

pub struct SeaFriendRequestService {
    db: DatabaseConnection,
}

impl SeaFriendRequestService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// One attempt; `None` when a request between the two appeared concurrently (try again).
    async fn try_send(
        &self,
        from: UserId,
        to: UserId,
        reason: &Reason,
    ) -> Result<Option<SendOutcome>, FriendRequestError> {
        let txn = self.db.begin().await?;
        let key = pair_key(from, to);
        let pending = Requests::find()
            .filter(Column::PendingKey.eq(&key))
            .one(&txn)
            .await?;
        if let Some(pending) = pending {
            if pending.from_user_id == from.get() {
                return Err(FriendRequestError::AlreadyPending);
            }
            let agreed = decide(&txn, pending, RequestStatus::Agreed).await?;
            let view = one_view(&txn, agreed).await?;
            txn.commit().await?;
            return Ok(Some(SendOutcome::AgreedTheirs(view)));
        }
        let now = user::time::now();
        let inserted = ActiveModel {
            from_user_id: Set(from.get()),
            to_user_id: Set(to.get()),
            reason: Set(reason.as_str().to_owned()),
            status: Set(RequestStatus::Pending),
            pending_key: Set(Some(key)),
            create_time: Set(now),
            update_time: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(request) => {
                let view = one_view(&txn, request).await?;
                txn.commit().await?;
                Ok(Some(SendOutcome::Sent(view)))
            }
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                Ok(None)
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn decide_mine(
        &self,
        user: UserId,
        id: i64,
        status: RequestStatus,
    ) -> Result<FriendRequestView, FriendRequestError> {
        let txn = self.db.begin().await?;
        // Someone else's request is "not found": its existence is not the caller's business.
        let request = Requests::find_by_id(id)
            .one(&txn)
            .await?
            .filter(|request| request.to_user_id == user.get())
            .ok_or(FriendRequestError::NotFound)?;
        let decided = decide(&txn, request, status).await?;
        let view = one_view(&txn, decided).await?;
        txn.commit().await?;
        Ok(view)
    }
}

/// The key every pending request between two people shares, whichever way it goes: so two
/// people asking each other at the same moment cannot both end up pending.
fn pair_key(a: UserId, b: UserId) -> String {
    format!("{}:{}", a.get().min(b.get()), a.get().max(b.get()))
}

/// Moves a pending request to `status` (guarded, so a concurrent decision loses cleanly);
/// agreeing also creates the friendship, in the caller's transaction.
async fn decide(
    txn: &DatabaseTransaction,
    request: Model,
    status: RequestStatus,
) -> Result<Model, FriendRequestError> {
    if request.status != RequestStatus::Pending {
        return Err(FriendRequestError::AlreadyDecided);
    }
    let now = user::time::now();
    let updated = Requests::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::PendingKey, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdateTime, Expr::value(now))
        .filter(Column::Id.eq(request.id))
        .filter(Column::Status.eq(RequestStatus::Pending))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(FriendRequestError::AlreadyDecided);
    }
    if status == RequestStatus::Agreed {
        let (from, to) = (
            UserId::new(request.from_user_id),
            UserId::new(request.to_user_id),
        );
        friendship::befriend(txn, from, to).await?;
    }
    Ok(Model {
        status,
        pending_key: None,
        update_time: now,
        ..request
    })
}

/// Views of many requests with one query for all the people in them.
async fn views(
    conn: &impl ConnectionTrait,
    requests: Vec<Model>,
) -> Result<Vec<FriendRequestView>, FriendRequestError> {
    let mut ids: Vec<i64> = requests
        .iter()
        .flat_map(|r| [r.from_user_id, r.to_user_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let people: HashMap<i64, UserSummary> = Users::find()
        .filter(UserColumn::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|user| (user.id, UserSummary::from(user)))
        .collect();
    requests
        .into_iter()
        .map(|request| {
            let person = |id: i64| people.get(&id).cloned().ok_or(FriendRequestError::NotFound);
            Ok(FriendRequestView {
                id: request.id,
                from_user: person(request.from_user_id)?,
                to_user: person(request.to_user_id)?,
                reason: request.reason,
                status: request.status.to_value(),
                create_time: request.create_time,
            })
        })
        .collect()
}

async fn one_view(
    conn: &impl ConnectionTrait,
    request: Model,
) -> Result<FriendRequestView, FriendRequestError> {
    views(conn, vec![request])
        .await?
        .pop()
        .ok_or(FriendRequestError::NotFound)
}

/// One side of the list: a page, newest first, and the side's total.
async fn page_of(
    db: &DatabaseConnection,
    query: Select<Requests>,
    page: PageRequest,
) -> Result<(Vec<Model>, u64), FriendRequestError> {
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(Column::Id)
        .offset(page.offset())
        .limit(page.page_size())
        .all(db)
        .await?;
    Ok((rows, total))
}

#[async_trait]
impl FriendRequestService for SeaFriendRequestService {
    #[tracing::instrument(skip_all, fields(user_id = from.get()), err)]
    async fn send(
        &self,
        from: UserId,
        to: &Username,
        reason: Reason,
    ) -> Result<SendOutcome, FriendRequestError> {
        let target = Users::find()
            .filter(UserColumn::Username.eq(to.as_str()))
            .one(&self.db)
            .await?
            .ok_or(FriendRequestError::UserNotFound)?;
        let to = UserId::new(target.id);
        if to == from {
            return Err(FriendRequestError::ToSelf);
        }
        if friendship::are_friends(&self.db, from, to).await? {
            return Err(FriendRequestError::AlreadyFriends);
        }
        // A lost race means the other side's request now exists: the next attempt sees it.
        for _ in 0..3 {
            if let Some(outcome) = self.try_send(from, to, &reason).await? {
                return Ok(outcome);
            }
        }
        Err(FriendRequestError::AlreadyPending)
    }

    async fn list(
        &self,
        user: UserId,
        page: PageRequest,
    ) -> Result<FriendRequestLists, FriendRequestError> {
        let to_me = Requests::find().filter(Column::ToUserId.eq(user.get()));
        let from_me = Requests::find().filter(Column::FromUserId.eq(user.get()));
        let (to_rows, total_to) = page_of(&self.db, to_me, page).await?;
        let (from_rows, total_from) = page_of(&self.db, from_me, page).await?;
        let split = to_rows.len();
        let mut all = views(&self.db, to_rows.into_iter().chain(from_rows).collect()).await?;
        let from_views = all.split_off(split);
        Ok(FriendRequestLists::new(
            (all, total_to),
            (from_views, total_from),
            page,
        ))
    }

    #[tracing::instrument(skip_all, fields(user_id = user.get()), err)]
    async fn agree(&self, user: UserId, id: i64) -> Result<FriendRequestView, FriendRequestError> {
        self.decide_mine(user, id, RequestStatus::Agreed).await
    }

    #[tracing::instrument(skip_all, fields(user_id = user.get()), err)]
    async fn reject(&self, user: UserId, id: i64) -> Result<FriendRequestView, FriendRequestError> {
        self.decide_mine(user, id, RequestStatus::Rejected).await
    }
}
