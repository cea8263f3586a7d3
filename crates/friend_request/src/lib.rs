//! The friend request module: a request with a reason, agreed or rejected by the addressee.
//! Agreeing creates the friendship in the same transaction.
#![forbid(unsafe_code)]

pub mod entity;
mod error;
mod service;
mod types;

pub use error::FriendRequestError;
pub use service::{FriendRequestService, SeaFriendRequestService};
pub use types::{FriendRequestLists, FriendRequestView, Reason, RequestStatus, SendOutcome};
