//! Login throttling: too many attempts for one username, or failures from one client address,
//! within a window, and further attempts get 429 until the window ends.
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

    /// Admits an attempt or refuses it. The username's attempt is counted before the password
    /// is checked, so parallel guesses cannot outrun the limit; a success clears the count.
    pub async fn admit(&self, username: &str, address: &str) -> Result<(), UserError> {
        let address_key = address_key(address);
        let failures = self.store.get(&address_key).await?;
        let failures = failures.and_then(|c| c.parse::<u64>().ok()).unwrap_or(0);
        if failures >= self.limits.per_address {
            return Err(self.throttled(&address_key).await?);
        }
        let user_key = username_key(username);
        let attempts = self.store.increment(&user_key, self.limits.window).await?;
        if attempts > self.limits.per_username {
            return Err(self.throttled(&user_key).await?);
        }
        Ok(())
    }

    async fn throttled(&self, key: &str) -> Result<UserError, UserError> {
        let remaining = self.store.ttl(key).await?.unwrap_or(self.limits.window);
        Ok(UserError::LoginThrottled {
            retry_after_secs: remaining.as_secs().max(1),
        })
    }

    /// Counts a failure against the client address (shared by everyone behind it).
    pub async fn record_failure(&self, address: &str) -> Result<(), UserError> {
        let key = address_key(address);
        self.store.increment(&key, self.limits.window).await?;
        Ok(())
    }

    pub async fn record_success(&self, username: &str) -> Result<(), UserError> {
        self.store.delete(&username_key(username)).await?;
        Ok(())
    }
}

fn username_key(username: &str) -> String {
    format!("login_fail:user:{}", username.to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("login_fail:addr:{address}")
}
