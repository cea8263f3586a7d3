//! The favorite module: messages a user keeps (service in a later change).
#![forbid(unsafe_code)]

pub mod entity;
