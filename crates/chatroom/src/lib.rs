//! The chatroom module: direct rooms between two friends, groups with an owner and members,
//! the room list with unread counts, and the message shape every module shares.
#![forbid(unsafe_code)]

pub mod entity;
mod error;
mod list;
mod membership;
mod messages;
mod room;
mod seq;
mod service;
mod types;

pub use error::ChatroomError;
pub use list::{SHOWN_NAME, other_member_join};
pub use membership::{is_member, lock_room, require_member, require_member_locked};
pub use messages::{
    MESSAGE_COLUMNS, MessageRow, SENDER_JOIN, messages_by_client_ids, messages_by_ids,
    messages_page,
};
pub use seq::{RoomSeq, advance_rooms, lock_rooms, mark_sent, members_among};
pub use service::{ChatroomService, SeaChatroomService};
pub use types::{
    ChatMessage, GroupName, MessageKind, RoomInfo, RoomKind, RoomListItem, RoomSummary,
};
