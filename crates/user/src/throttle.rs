//! Login failure throttling: after too many failures for a username, or from one client address,
//! within a window, further attempts get 429 until the window ends.
use crate::error::UserError;
use crate::ports::EphemeralStore;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    pub per_username: u64,
    pub per_address: u64,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_username: 10,
            per_address: 100,
            window: Duration::from_secs(15 * 60),
        }
    }
}

pub struct LoginThrottle {
    store: Arc<dyn EphemeralStore>,
    limits: LoginLimits,
}

impl LoginThrottle {
    pub fn new(store: Arc<dyn EphemeralStore>, limits: LoginLimits) -> Self {
        Self { store, limits }
    }

    fn keys(&self, username: &str, address: &str) -> [(String, u64); 2] {
        [
            (username_key(username), self.limits.per_username),
            (
                format!("login_fail:addr:{address}"),
                self.limits.per_address,
            ),
        ]
    }

    /// Refuses the attempt when either counter has reached its limit.
    pub async fn check(&self, username: &str, address: &str) -> Result<(), UserError> {
        for (key, limit) in self.keys(username, address) {
            let count = self.store.get(&key).await?;
            let count = count.and_then(|c| c.parse::<u64>().ok()).unwrap_or(0);
            if count >= limit {
                let remaining = self.store.ttl(&key).await?.unwrap_or(self.limits.window);
                return Err(UserError::LoginThrottled {
                    retry_after_secs: remaining.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    pub async fn record_failure(&self, username: &str, address: &str) -> Result<(), UserError> {
        for (key, _) in self.keys(username, address) {
            self.store.increment(&key, self.limits.window).await?;
        }
        Ok(())
    }

    /// A successful login clears the username's count (not the address's, shared by others).
    pub async fn record_success(&self, username: &str) -> Result<(), UserError> {
        self.store.delete(&username_key(username)).await?;
        Ok(())
    }
}

fn username_key(username: &str) -> String {
    format!("login_fail:user:{}", username.to_lowercase())
}
