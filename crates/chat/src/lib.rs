//! The chat module, owner of `chat_history`: storing messages with a gapless per-room seq,
//! idempotent by the sender's client id, written through a group-committing pipeline; reading
//! history by seq cursor, the room list's last messages and unread counts, and messages by id
//! for other modules (favorites).
#![forbid(unsafe_code)]

mod attachments;
mod batch;
pub mod entity;
mod error;
mod known_senders;
mod message;
mod messages;
mod pipeline;
mod plan;
mod room_list;
mod service;
mod types;

pub use attachments::attachment_urls_since;
pub use batch::Outgoing;
pub use error::ChatError;
pub use message::{ChatMessage, MessageKind};
pub use messages::{messages_after, messages_by_ids};
pub use pipeline::{PipelineConfig, Reply, SendQueue, Stored, Unpublished, Writer, answer_of};
pub use room_list::RoomListItem;
pub use service::{ChatService, SeaChatService};
pub use types::{ClientId, History, HistoryCursor, MessageBody, MessageId, Posted};
