//! The chat module: message history with a per-room seq (service in a later change).
#![forbid(unsafe_code)]

pub mod entity;
