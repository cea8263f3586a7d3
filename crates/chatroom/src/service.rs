//! `ChatroomService`: rooms, members and read markers.
use crate::entity::{chatroom, user_chatroom};
use crate::error::ChatroomError;
use crate::membership::{add_members, is_member, require_member, require_member_locked};
use crate::room::{direct_key, is_unique_violation, new_room, room_info};
use crate::types::{GroupName, InitialMembers, RoomId, RoomInfo, RoomKind, Seq};
use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, TransactionTrait,
};
use user::entity::{Column as UserColumn, Entity as Users};
use user::{Page, PageRequest, UserId, UserSummary, Username};

#[async_trait]
pub trait ChatroomService: Send + Sync {
    /// The direct room of two friends; `true` when this call created it.
    async fn create_direct(
        &self,
        me: UserId,
        friend: UserId,
    ) -> Result<(RoomInfo, bool), ChatroomError>;
    /// A group owned by its creator, with initial members who must be the creator's friends.
    async fn create_group(
        &self,
        me: UserId,
        name: GroupName,
        members: InitialMembers,
    ) -> Result<RoomInfo, ChatroomError>;
    async fn info(&self, me: UserId, room: RoomId) -> Result<RoomInfo, ChatroomError>;
    /// Owner first, then by join time.
    async fn members(
        &self,
        me: UserId,
        room: RoomId,
        page: PageRequest,
    ) -> Result<Page<UserSummary>, ChatroomError>;
    /// Adds a friend of the caller to a group; returns the room and who was added.
    async fn invite(
        &self,
        me: UserId,
        room: RoomId,
        username: &Username,
    ) -> Result<(RoomInfo, UserId), ChatroomError>;
    /// Leaves a group; ownership passes to the longest-standing member.
    async fn exit(&self, me: UserId, room: RoomId) -> Result<(), ChatroomError>;
    async fn direct_with(&self, me: UserId, friend: UserId) -> Result<RoomInfo, ChatroomError>;
    /// Moves the read marker forward (never back, never past the last message); returns it.
    async fn mark_read(&self, me: UserId, room: RoomId, seq: Seq) -> Result<Seq, ChatroomError>;
}

pub struct SeaChatroomService {
    db: DatabaseConnection,
}

impl SeaChatroomService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn direct_room(&self, a: UserId, b: UserId) -> Result<Option<chatroom::Model>, DbErr> {
        chatroom::Entity::find()
            .filter(chatroom::Column::DirectKey.eq(direct_key(a, b)))
            .one(&self.db)
            .await
    }
}

#[async_trait]
impl ChatroomService for SeaChatroomService {
    #[tracing::instrument(skip_all, fields(user_id = me.get()), err)]
    async fn create_direct(
        &self,
        me: UserId,
        friend: UserId,
    ) -> Result<(RoomInfo, bool), ChatroomError> {
        if me == friend {
            return Err(ChatroomError::WithSelf);
        }
        if !friendship::are_friends(&self.db, me, friend).await? {
            return Err(ChatroomError::NotAFriend);
        }
        if let Some(room) = self.direct_room(me, friend).await? {
            return Ok((room_info(&self.db, me, room).await?, false));
        }
        let txn = self.db.begin().await?;
        let room = new_room(RoomKind::Direct, "", None, Some(direct_key(me, friend)));
        match room.insert(&txn).await {
            Ok(room) => {
                add_members(&txn, room.id, &[me, friend], 0).await?;
                let info = room_info(&txn, me, room).await?;
                txn.commit().await?;
                Ok((info, true))
            }
            // The other side created it at the same moment: theirs is the room.
            Err(err) if is_unique_violation(&err) => {
                drop(txn);
                let room = self
                    .direct_room(me, friend)
                    .await?
                    .ok_or(ChatroomError::NotFound)?;
                Ok((room_info(&self.db, me, room).await?, false))
            }
            Err(err) => Err(err.into()),
        }
    }

    #[tracing::instrument(skip_all, fields(user_id = me.get()), err)]
    async fn create_group(
        &self,
        me: UserId,
        name: GroupName,
        members: InitialMembers,
    ) -> Result<RoomInfo, ChatroomError> {
        let others = members.others(me);
        let friends = friendship::entity::Entity::find()
            .filter(friendship::entity::Column::UserId.eq(me.get()))
            .filter(friendship::entity::Column::FriendId.is_in(others.iter().map(|o| o.get())))
            .count(&self.db)
            .await?;
        if friends != others.len() as u64 {
            return Err(ChatroomError::NotAFriend);
        }
        let txn = self.db.begin().await?;
        let room = new_room(RoomKind::Group, name.as_str(), Some(me), None)
            .insert(&txn)
            .await?;
        add_members(&txn, room.id, &[me], 0).await?;
        if !others.is_empty() {
            add_members(&txn, room.id, &others, 0).await?;
        }
        let info = room_info(&txn, me, room).await?;
        txn.commit().await?;
        Ok(info)
    }

    async fn info(&self, me: UserId, room: RoomId) -> Result<RoomInfo, ChatroomError> {
        let room = require_member(&self.db, me, room).await?;
        Ok(room_info(&self.db, me, room).await?)
    }

    async fn members(
        &self,
        me: UserId,
        room: RoomId,
        page: PageRequest,
    ) -> Result<Page<UserSummary>, ChatroomError> {
        let room = require_member(&self.db, me, room).await?;
        let total = user_chatroom::Entity::find()
            .filter(user_chatroom::Column::ChatroomId.eq(room.id))
            .count(&self.db)
            .await?;
        // The owner first, then in the order they joined.
        let owner_first: Expr = Expr::case(UserColumn::Id.eq(room.owner_id.unwrap_or(0)), 0)
            .finally(1)
            .into();
        let members = user_chatroom::Entity::find()
            .select_only()
            .join(JoinType::InnerJoin, user_chatroom::Relation::User.def())
            .columns([
                UserColumn::Id,
                UserColumn::Username,
                UserColumn::NickName,
                UserColumn::HeadPic,
            ])
            .filter(user_chatroom::Column::ChatroomId.eq(room.id))
            .order_by_asc(owner_first)
            .order_by_asc(user_chatroom::Column::JoinedAt)
            .order_by_asc(UserColumn::Id)
            .limit(page.page_size())
            .offset(page.offset())
            .into_model::<UserSummary>()
            .all(&self.db)
            .await?;
        Ok(Page::new(members, total, page))
    }

    #[tracing::instrument(skip_all, fields(user_id = me.get()), err)]
    async fn invite(
        &self,
        me: UserId,
        room: RoomId,
        username: &Username,
    ) -> Result<(RoomInfo, UserId), ChatroomError> {
        let txn = self.db.begin().await?;
        // Locked: the new member's read marker is the room's seq at this moment, exactly.
        let room = require_member_locked(&txn, me, room).await?;
        if room.kind == RoomKind::Direct {
            return Err(ChatroomError::DirectRoom);
        }
        let target = Users::find()
            .filter(UserColumn::Username.eq(username.as_str()))
            .one(&txn)
            .await?
            .ok_or(ChatroomError::UserNotFound)?;
        let target = UserId::new(target.id);
        if is_member(&txn, target, RoomId::new(room.id)).await? {
            return Err(ChatroomError::AlreadyMember);
        }
        if !friendship::are_friends(&txn, me, target).await? {
            return Err(ChatroomError::NotAFriend);
        }
        add_members(&txn, room.id, &[target], room.last_seq).await?;
        let info = room_info(&txn, me, room).await?;
        txn.commit().await?;
        Ok((info, target))
    }

    #[tracing::instrument(skip_all, fields(user_id = me.get()), err)]
    async fn exit(&self, me: UserId, room: RoomId) -> Result<(), ChatroomError> {
        let txn = self.db.begin().await?;
        // Locked first (as senders do): two leaving owners cannot pick each other as heir.
        let room = require_member_locked(&txn, me, room).await?;
        if room.kind == RoomKind::Direct {
            return Err(ChatroomError::DirectRoom);
        }
        user_chatroom::Entity::delete_by_id((me.get(), room.id))
            .exec(&txn)
            .await?;
        if room.owner_id == Some(me.get()) {
            // The longest-standing member inherits; an empty group keeps its history, ownerless.
            let heir = user_chatroom::Entity::find()
                .filter(user_chatroom::Column::ChatroomId.eq(room.id))
                .order_by_asc(user_chatroom::Column::JoinedAt)
                .order_by_asc(user_chatroom::Column::UserId)
                .select_only()
                .column(user_chatroom::Column::UserId)
                .into_tuple::<i64>()
                .one(&txn)
                .await?;
            chatroom::Entity::update_many()
                .col_expr(chatroom::Column::OwnerId, Expr::value(heir))
                .filter(chatroom::Column::Id.eq(room.id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    async fn direct_with(&self, me: UserId, friend: UserId) -> Result<RoomInfo, ChatroomError> {
        let room = self
            .direct_room(me, friend)
            .await?
            .ok_or(ChatroomError::NotFound)?;
        let room = require_member(&self.db, me, RoomId::new(room.id)).await?;
        Ok(room_info(&self.db, me, room).await?)
    }

    async fn mark_read(&self, me: UserId, room: RoomId, seq: Seq) -> Result<Seq, ChatroomError> {
        let room = require_member(&self.db, me, room).await?;
        let target = seq.get().min(room.last_seq);
        user_chatroom::Entity::update_many()
            .col_expr(user_chatroom::Column::LastReadSeq, Expr::value(target))
            .col_expr(
                user_chatroom::Column::UpdateTime,
                Expr::value(user::time::now()),
            )
            .filter(user_chatroom::Column::UserId.eq(me.get()))
            .filter(user_chatroom::Column::ChatroomId.eq(room.id))
            .filter(user_chatroom::Column::LastReadSeq.lt(target))
            .exec(&self.db)
            .await?;
        let marker = user_chatroom::Entity::find_by_id((me.get(), room.id))
            .select_only()
            .column(user_chatroom::Column::LastReadSeq)
            .into_tuple::<i64>()
            .one(&self.db)
            .await?;
        marker.map(Seq::new).ok_or(ChatroomError::NotFound)
    }
}
