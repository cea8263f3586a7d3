//! Everything a handler may need, built once before the server starts.
use crate::auth::TokenKeys;
use friend_request::FriendRequestService;
use friendship::FriendshipService;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use user::UserService;

pub struct AppState {
    pub users: Arc<dyn UserService>,
    pub friendships: Arc<dyn FriendshipService>,
    pub friend_requests: Arc<dyn FriendRequestService>,
    pub tokens: TokenKeys,
    pub db: DatabaseConnection,
    pub redis: Option<deadpool_redis::Pool>,
    /// The absolute base URL clients reach this service at (no trailing slash).
    pub public_url: String,
}
