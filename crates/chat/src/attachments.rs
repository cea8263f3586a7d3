//! The attachments messages refer to, for the storage sweep: which uploads are still in use.
use crate::entity::{Column, Entity as Messages};
use crate::message::MessageKind;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// The contents (attachment URLs) of the image and file messages stored at or after `since`.
/// `chat_history` has no index on its time: the first id at `since` is found by a binary
/// search over the primary key (ids follow commit order, and create times follow it to within
/// a batch), then the rows from it on are read by the primary key.
pub async fn attachment_urls_since(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let Some(first) = first_id_at(conn, since).await? else {
        return Ok(Vec::new());
    };
    let kinds = [MessageKind::Image, MessageKind::File];
    Messages::find()
        .filter(Column::Id.gte(first))
        .filter(Column::Kind.is_in(kinds))
        .order_by_asc(Column::Id)
        .select_only()
        .column(Column::Content)
        .into_tuple::<String>()
        .all(conn)
        .await
}

/// The smallest id whose message was stored at or after `since`; `None` when none was.
async fn first_id_at(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let newest: Option<Option<i64>> = Messages::find()
        .select_only()
        .column_as(Column::Id.max(), "newest")
        .into_tuple()
        .one(conn)
        .await?;
    let Some(newest) = newest.flatten() else {
        return Ok(None);
    };
    // Invariant: every message below `low` is older than `since`; the one at or after `high`
    // (if any) is not.
    let (mut low, mut high) = (0_i64, newest.saturating_add(1));
    while low < high {
        let middle = low + (high - low) / 2;
        let time: Option<DateTime<Utc>> = Messages::find()
            .filter(Column::Id.gte(middle))
            .order_by_asc(Column::Id)
            .select_only()
            .column(Column::CreateTime)
            .into_tuple()
            .one(conn)
            .await?;
        match time {
            Some(time) if time < since => low = middle + 1,
            _ => high = middle,
        }
    }
    Ok((low <= newest).then_some(low))
}
