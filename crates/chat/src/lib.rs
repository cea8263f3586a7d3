//! The chat module: storing messages with a gapless per-room seq, idempotent by the sender's
//! client id, and reading history by seq cursor.
#![forbid(unsafe_code)]

pub mod entity;
mod error;
mod service;
mod types;

pub use chatroom::{ChatMessage, MessageKind};
pub use error::ChatError;
pub use service::{ChatService, SeaChatService};
pub use types::{ClientId, History, HistoryCursor, MessageBody, Posted};
