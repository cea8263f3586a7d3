//! The chatroom module: direct rooms between two friends, groups with an owner and members,
//! the room rows of my room list (the chat module adds their messages), read markers and the
//! room seq that message writers advance.
#![forbid(unsafe_code)]

pub mod entity;
mod error;
mod list;
mod membership;
mod room;
mod send_batch;
mod seq;
mod service;
mod types;

pub use error::ChatroomError;
pub use list::{RoomEntry, room_names, room_page};
pub use membership::{is_member, lock_room, require_member, require_member_locked};
pub use send_batch::{LockedForSends, lock_for_sends, record_sends};
pub use seq::{RoomSeq, advance_rooms, lock_rooms, mark_sent, members_among, room_seqs};
pub use service::{ChatroomService, SeaChatroomService};
pub use types::{
    GroupName, InitialMembers, MAX_INITIAL_MEMBERS, RoomId, RoomInfo, RoomKind, RoomSummary, Seq,
};
