//! A room's seq and its members' read markers, for writers that store many messages in one
//! transaction: each function is one statement however many rooms or members it touches.
use crate::entity::{chatroom, user_chatroom};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};
use std::collections::HashMap;
use user::{UserId, UserSummary};

/// Where a room's order stands: its newest seq and the time of its latest activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomSeq {
    pub id: i64,
    pub last_seq: i64,
    pub update_time: DateTime<Utc>,
}

/// Locks the rooms that exist among `rooms` for the rest of the transaction, in id order (so two
/// writers never deadlock), and reads where each stands. Every change to a room's seq or members
/// takes this lock first, so what committed before it (an exit, a message) is visible after it.
pub async fn lock_rooms(conn: &impl ConnectionTrait, rooms: &[i64]) -> Result<Vec<RoomSeq>, DbErr> {
    if rooms.is_empty() {
        return Ok(Vec::new());
    }
    let rows = chatroom::Entity::find()
        .filter(chatroom::Column::Id.is_in(rooms.iter().copied()))
        .order_by_asc(chatroom::Column::Id)
        .lock_exclusive()
        .select_only()
        .column(chatroom::Column::Id)
        .column(chatroom::Column::LastSeq)
        .column(chatroom::Column::UpdateTime)
        .into_tuple::<(i64, i64, DateTime<Utc>)>()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, last_seq, update_time)| RoomSeq {
            id,
            last_seq,
            update_time,
        })
        .collect())
}

/// Moves locked rooms to their new seq and activity time, in one statement.
pub async fn advance_rooms(conn: &impl ConnectionTrait, rooms: &[RoomSeq]) -> Result<(), DbErr> {
    let Some(first) = rooms.first() else {
        return Ok(());
    };
    let by_room = |value: fn(&RoomSeq) -> Value, column: chatroom::Column| -> SimpleExpr {
        let id = chatroom::Column::Id;
        let start = Expr::case(Expr::col(id).eq(first.id), Expr::val(value(first)));
        rooms[1..]
            .iter()
            .fold(start, |case, room| {
                case.case(Expr::col(id).eq(room.id), Expr::val(value(room)))
            })
            .finally(Expr::col(column))
            .into()
    };
    chatroom::Entity::update_many()
        .col_expr(
            chatroom::Column::LastSeq,
            by_room(|room| room.last_seq.into(), chatroom::Column::LastSeq),
        )
        .col_expr(
            chatroom::Column::UpdateTime,
            by_room(|room| room.update_time.into(), chatroom::Column::UpdateTime),
        )
        .filter(chatroom::Column::Id.is_in(rooms.iter().map(|room| room.id)))
        .exec(conn)
        .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct MemberRow {
    chatroom_id: i64,
    id: i64,
    username: String,
    nick_name: String,
    head_pic: String,
}

/// Which of these (user, room) pairs are memberships, each with the member as others see them:
/// one statement for the lot.
pub async fn members_among(
    conn: &impl ConnectionTrait,
    pairs: &[(UserId, i64)],
) -> Result<HashMap<(UserId, i64), UserSummary>, DbErr> {
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["(?, ?)"; pairs.len()].join(", ");
    let sql = format!(
        "SELECT m.chatroom_id, u.id, u.username, u.nick_name, u.head_pic FROM user_chatroom m \
         JOIN users u ON u.id = m.user_id WHERE (m.user_id, m.chatroom_id) IN ({marks})"
    );
    let values = pairs
        .iter()
        .flat_map(|(user, room)| [Value::from(user.0), Value::from(*room)]);
    let statement = Statement::from_sql_and_values(
        conn.get_database_backend(),
        sql,
        values.collect::<Vec<_>>(),
    );
    let rows = MemberRow::find_by_statement(statement).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let summary = UserSummary {
                id: row.id,
                username: row.username,
                nick_name: row.nick_name,
                head_pic: row.head_pic,
            };
            ((UserId(row.id), row.chatroom_id), summary)
        })
        .collect())
}

/// Sending counts as having read up to your own message: moves each (user, room) marker to its
/// seq, in one statement. The seqs are new (above every marker), so markers only move forward.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    markers: &[(UserId, i64, i64)],
) -> Result<(), DbErr> {
    let Some(((first_user, first_room, first_seq), rest)) = markers.split_first() else {
        return Ok(());
    };
    let is = |user: &UserId, room: &i64| {
        Condition::all()
            .add(user_chatroom::Column::UserId.eq(user.0))
            .add(user_chatroom::Column::ChatroomId.eq(*room))
    };
    let start = Expr::case(is(first_user, first_room), Expr::val(*first_seq));
    let value = rest
        .iter()
        .fold(start, |case, (user, room, seq)| {
            case.case(is(user, room), Expr::val(*seq))
        })
        .finally(Expr::col(user_chatroom::Column::LastReadSeq));
    let any = markers
        .iter()
        .fold(Condition::any(), |any, (user, room, _)| {
            any.add(is(user, room))
        });
    user_chatroom::Entity::update_many()
        .col_expr(user_chatroom::Column::LastReadSeq, value.into())
        .filter(any)
        .exec(conn)
        .await?;
    Ok(())
}
