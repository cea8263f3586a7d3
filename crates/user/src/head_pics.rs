//! The avatars users show now, for the storage sweep: an avatar upload nobody shows is removed.
use crate::entity::{Column, Entity as Users};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The `headPic` of each of these users that exists, in one statement per thousand users.
pub async fn head_pics(
    conn: &impl ConnectionTrait,
    users: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    let mut pics = HashMap::with_capacity(users.len());
    for chunk in users.chunks(1000) {
        let rows: Vec<(i64, String)> = Users::find()
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .select_only()
            .column(Column::Id)
            .column(Column::HeadPic)
            .into_tuple()
            .all(conn)
            .await?;
        pics.extend(rows);
    }
    Ok(pics)
}
