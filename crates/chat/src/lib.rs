//! The chat module: storing messages with a gapless per-room seq, idempotent by the sender's
//! client id, written through a group-committing pipeline, and reading history by seq cursor.
#![forbid(unsafe_code)]

mod batch;
pub mod entity;
mod error;
mod pipeline;
mod plan;
mod service;
mod types;

pub use batch::Outgoing;
pub use chatroom::{ChatMessage, MessageKind};
pub use error::ChatError;
pub use pipeline::{PipelineConfig, Reply, SendQueue, Stored, Unpublished, Writer, answer_of};
pub use service::{ChatService, SeaChatService};
pub use types::{ClientId, History, HistoryCursor, MessageBody, Posted};
