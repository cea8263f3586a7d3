//! Everything a handler may need, built once before the server starts.
use crate::limits::RateLimits;
use crate::settings::WsSettings;
use crate::tokens::TokenKeys;
use crate::ws::bus::Bus;
use crate::ws::hub_task::HubHandle;
use chat::ChatService;
use chatroom::ChatroomService;
use favorite::FavoriteService;
use friend_request::FriendRequestService;
use friendship::FriendshipService;
use std::sync::Arc;
use user::UserService;

pub struct AppState {
    pub users: Arc<dyn UserService>,
    pub friendships: Arc<dyn FriendshipService>,
    pub friend_requests: Arc<dyn FriendRequestService>,
    pub chatrooms: Arc<dyn ChatroomService>,
    pub chat: Arc<dyn ChatService>,
    /// The message write pipeline, for sockets that keep several sends in flight.
    pub sends: chat::SendQueue,
    pub favorites: Arc<dyn FavoriteService>,
    pub tokens: TokenKeys,
    /// The database and Redis, for `/ready` only.
    pub readiness: crate::readiness::Readiness,
    /// The absolute base URL clients reach this service at (no trailing slash).
    pub public_url: String,
    pub hub: HubHandle,
    pub bus: Bus,
    pub ws: WsSettings,
    /// Request-rate limits (off with `rate_limits`); security limits hold regardless.
    pub limits: RateLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub storage: storage::Storage,
    pub metrics: crate::metrics::Metrics,
    /// Sockets per user on this gateway.
    pub user_sockets: crate::ws::user_sockets::UserSockets,
    /// Cancelled once when the gateway shuts down: sockets close with 1001, and the hub, the bus
    /// subscriber, the catch-up and the sweep end.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Set as soon as a shutdown begins, before anything closes: `/ready` answers 503 so that a
    /// load balancer sends new work elsewhere while this gateway drains.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// Where uploaded attachments are served: image and file messages must point under it.
    pub fn attachment_prefix(&self) -> String {
        format!("{}/storage/object/attachment/", self.public_url)
    }

    /// Where `user`'s avatars are served: a `headPic` must point under it.
    pub fn avatar_prefix(&self, user: user::UserId) -> String {
        format!("{}/storage/object/avatar/{}/", self.public_url, user.get())
    }
}
