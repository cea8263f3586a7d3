//! The friend request module: requests with a reason, agreed or rejected by the addressee (service in a later change).
#![forbid(unsafe_code)]

pub mod entity;
