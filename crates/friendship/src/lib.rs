//! The friendship module: symmetric friendships, stored as one row per direction and always
//! written or removed in pairs.
#![forbid(unsafe_code)]

pub mod entity;
mod error;
mod service;

pub use error::FriendshipError;
pub use service::{FriendshipService, SeaFriendshipService, are_friends, befriend};
