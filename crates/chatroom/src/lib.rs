//! The chatroom module: direct and group rooms and their members (service in a later change).
#![forbid(unsafe_code)]

pub mod entity;
