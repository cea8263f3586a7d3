//! The friendship module: symmetric friendships, one row per direction (service in a later change).
#![forbid(unsafe_code)]

pub mod entity;
