//! What the user module needs from the outside world, implemented by the gateway's adapters.
use async_trait::async_trait;
use std::time::Duration;

/// Short-lived keys with expiry: captchas, their cooldowns and failure counters. Redis when
/// configured (shared by every gateway), otherwise an in-process map.
#[async_trait]
pub trait EphemeralStore: Send + Sync {
    /// Stores `value` for `ttl` unless the key exists; true when it was stored.
    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, KeyStoreError>;
    /// Stores `value` for `ttl`, replacing what was there.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), KeyStoreError>;
    async fn get(&self, key: &str) -> Result<Option<String>, KeyStoreError>;
    /// The remaining lifetime of a key, `None` when it does not exist.
    async fn ttl(&self, key: &str) -> Result<Option<Duration>, KeyStoreError>;
    /// Adds `amount` (which may be negative) to a counter that expires `window` after it was
    /// created; returns the new value.
    async fn add(&self, key: &str, amount: i64, window: Duration) -> Result<i64, KeyStoreError>;
    /// Adds one to a counter that expires `window` after its first increment; returns the count.
    async fn increment(&self, key: &str, window: Duration) -> Result<u64, KeyStoreError> {
        let count = self.add(key, 1, window).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
    /// Removes a key; true when it existed, so of two racing consumers exactly one wins.
    async fn delete(&self, key: &str) -> Result<bool, KeyStoreError>;
}

#[derive(Debug, thiserror::Error)]
#[error("ephemeral store: {0}")]
pub struct KeyStoreError(pub String);

/// One plain-text e-mail.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Sends mail: SMTP when configured, otherwise a log line.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}

#[derive(Debug, thiserror::Error)]
#[error("mail: {0}")]
pub struct MailError(pub String);
