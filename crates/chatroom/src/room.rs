//! Building and describing rooms, shared by the service's use cases.
use crate::entity::{chatroom, user_chatroom};
use crate::types::{RoomId, RoomInfo, RoomKind};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Set, SqlErr,
};
use user::UserId;
use user::entity::Entity as Users;

pub(crate) fn direct_key(a: UserId, b: UserId) -> String {
    format!("{}:{}", a.get().min(b.get()), a.get().max(b.get()))
}

pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// The room as `me` sees it: member count, and a direct room named after the other person.
pub(crate) async fn room_info(
    conn: &impl ConnectionTrait,
    me: UserId,
    room: chatroom::Model,
) -> Result<RoomInfo, DbErr> {
    let members =
        user_chatroom::Entity::find().filter(user_chatroom::Column::ChatroomId.eq(room.id));
    let user_count = members.clone().count(conn).await?;
    let kind = room.kind;
    let name = match kind {
        RoomKind::Group => room.name,
        RoomKind::Direct => {
            let other = members
                .filter(user_chatroom::Column::UserId.ne(me.get()))
                .select_only()
                .column(user_chatroom::Column::UserId)
                .into_tuple::<i64>()
                .one(conn)
                .await?;
            let other = match other {
                Some(id) => Users::find_by_id(id).one(conn).await?,
                None => None,
            };
            other.map_or(room.name, |user| user.nick_name)
        }
    };
    Ok(RoomInfo {
        id: RoomId::new(room.id),
        name,
        kind,
        owner_id: room.owner_id,
        user_count,
        create_time: room.create_time,
    })
}

pub(crate) fn new_room(
    kind: RoomKind,
    name: &str,
    owner: Option<UserId>,
    key: Option<String>,
) -> chatroom::ActiveModel {
    let now = user::time::now();
    chatroom::ActiveModel {
        name: Set(name.to_owned()),
        kind: Set(kind),
        owner_id: Set(owner.map(|o| o.get())),
        last_seq: Set(0),
        direct_key: Set(key),
        create_time: Set(now),
        update_time: Set(now),
        ..Default::default()
    }
}
