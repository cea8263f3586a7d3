//! Request-rate limits (API.md §6): registrations per client address, friend requests, HTTP
//! message sends and upload presigns per user. Counted in the ephemeral store, so several gateways share them.
//! `rate_limits = off` turns them off (load tests); the security limits (captcha, login) live in
//! the user module and always hold.
use crate::error::ApiError;
use std::sync::Arc;
use std::time::Duration;
use user::EphemeralStore;

#[derive(Clone, Copy, Debug)]
pub enum Limit {
    /// Per client address: 10 an hour.
    Register,
    /// Per user: 30 a minute.
    FriendRequest,
    /// Per user: 20 a second, as on a WebSocket.
    HttpSend,
    /// Per user: 60 a minute.
    Presign,
}

impl Limit {
    fn rule(self) -> (&'static str, u64, Duration) {
        match self {
            Limit::Register => ("register", 10, Duration::from_secs(3600)),
            Limit::FriendRequest => ("friend_request", 30, Duration::from_secs(60)),
            Limit::HttpSend => ("send", 20, Duration::from_secs(1)),
            Limit::Presign => ("presign", 60, Duration::from_secs(60)),
        }
    }
}

pub struct RateLimits {
    store: Arc<dyn EphemeralStore>,
    enabled: bool,
}

impl RateLimits {
    pub fn new(store: Arc<dyn EphemeralStore>, enabled: bool) -> Self {
        Self { store, enabled }
    }

    /// Counts one request of `who` against `limit`; 429 with `Retry-After` beyond it.
    pub async fn check(&self, limit: Limit, who: &str) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let (name, max, window) = limit.rule();
        let key = format!("rate:{name}:{who}");
        // These protect capacity, not accounts: when the store is down they let requests through.
        let count = match self.store.increment(&key, window).await {
            Ok(count) => count,
            Err(err) => {
                tracing::warn!(%err, "rate limiter unavailable; not limiting");
                return Ok(());
            }
        };
        if count <= max {
            return Ok(());
        }
        let remaining = self.store.ttl(&key).await.ok().flatten().unwrap_or(window);
        Err(ApiError::too_many(
            "rate_limited",
            "Too many requests; slow down",
            remaining.as_secs_f64().ceil().max(1.0) as u64,
        ))
    }
}
