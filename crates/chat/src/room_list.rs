//! "My rooms": the room rows (chatroom's) with each room's last message and unread count
//! (ours), in four statements whatever the page size.
use crate::message::ChatMessage;
use crate::messages::{messages_at, unread_counts};
use chatroom::{RoomKind, room_page};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use std::collections::HashMap;
use user::{Page, PageRequest, SearchText, UserId, UserSummary};
use utoipa::ToSchema;

/// A row of my room list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomListItem {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: RoomKind,
    pub user_count: u64,
    /// The other member of a direct room, `null` in a group (API.md §7).
    pub peer: Option<UserSummary>,
    pub last_message: Option<ChatMessage>,
    pub unread_count: u64,
    /// The time of the last activity: the newest message, or the room's creation.
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub update_time: DateTime<Utc>,
}

/// A page of `me`'s rooms, most recent activity first, optionally filtered by shown name.
pub async fn room_list(
    conn: &impl ConnectionTrait,
    me: UserId,
    name: Option<&SearchText>,
    page: PageRequest,
) -> Result<Page<RoomListItem>, DbErr> {
    let (entries, total) = room_page(conn, me, name, page).await?;
    // By (room, seq), the room's own order: right even for a room whose last message a gateway
    // of the previous version stored (it moves `last_seq` but not `last_message_id`).
    let places: Vec<(i64, i64)> = entries
        .iter()
        .filter(|e| e.last_seq > 0)
        .map(|e| (e.id, e.last_seq))
        .collect();
    let mut last: HashMap<i64, ChatMessage> = messages_at(conn, &places)
        .await?
        .into_iter()
        .map(|message| (message.chatroom_id, message))
        .collect();
    // Only rooms with something past my marker can have unread messages.
    let behind: Vec<(i64, i64)> = entries
        .iter()
        .filter(|e| e.last_seq > e.last_read_seq)
        .map(|e| (e.id, e.last_read_seq))
        .collect();
    let unread = unread_counts(conn, me, &behind).await?;
    let items = entries
        .into_iter()
        .map(|entry| RoomListItem {
            id: entry.id,
            unread_count: unread.get(&entry.id).copied().unwrap_or(0),
            last_message: last.remove(&entry.id),
            name: entry.name,
            kind: entry.kind,
            user_count: entry.user_count,
            peer: entry.peer,
            update_time: entry.update_time,
        })
        .collect();
    Ok(Page::new(items, total, page))
}
