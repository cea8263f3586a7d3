//! Login throttling (API.md §6). Counted per account, whatever spelling of the username found
//! it: attempts per (account, client address) with a low bound (counted before the password is
//! checked, cleared by a success from that address), so guessing from one address stops soon
//! while the owner elsewhere still gets in; failures per account with a higher bound, so
//! guessing from many addresses stays bounded too; failures per client address, whatever names
//! it tries. Past a bound the answer is 429 until that window ends.
use crate::error::UserError;
use crate::ports::EphemeralStore;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    pub per_account_address: u64,
    pub per_account: u64,
    pub per_address: u64,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_account_address: 10,
            per_account: 100,
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

    /// Refuses an address that has failed too often, whichever names it tried.
    pub async fn admit_address(&self, address: &str) -> Result<(), UserError> {
        self.under(&address_key(address), self.limits.per_address)
            .await
    }

    /// Refuses an account that has failed too often everywhere, then counts this attempt on it
    /// from `address` before the password is checked (so parallel guesses from one address
    /// cannot outrun its bound) and refuses it past that bound.
    pub async fn admit_account(&self, account: i64, address: &str) -> Result<(), UserError> {
        self.under(&account_key(account), self.limits.per_account)
            .await?;
        self.count_from(pair_key(account, address)).await
    }

    /// A name no account has is counted per (name, address) like an account, so that a 429
    /// never tells a registered name from an unknown one.
    pub async fn admit_unknown(&self, name: &str, address: &str) -> Result<(), UserError> {
        let key = format!("login_fail:name:{}:addr:{address}", name.to_lowercase());
        self.count_from(key).await
    }

    async fn count_from(&self, key: String) -> Result<(), UserError> {
        let attempts = self.store.increment(&key, self.limits.window).await?;
        if attempts > self.limits.per_account_address {
            return Err(self.throttled(&key).await?);
        }
        Ok(())
    }

    async fn under(&self, key: &str, bound: u64) -> Result<(), UserError> {
        under(self.store.as_ref(), key, bound, self.limits.window).await
    }

    async fn throttled(&self, key: &str) -> Result<UserError, UserError> {
        too_many(self.store.as_ref(), key, self.limits.window).await
    }

    /// Counts a failure against the client address (shared by everyone behind it) and, when
    /// the name found one, against the account everywhere.
    pub async fn record_failure(
        &self,
        account: Option<i64>,
        address: &str,
    ) -> Result<(), UserError> {
        let window = self.limits.window;
        self.store.increment(&address_key(address), window).await?;
        if let Some(account) = account {
            self.store.increment(&account_key(account), window).await?;
        }
        Ok(())
    }

    /// The owner got in from `address`: that address starts afresh for this account. The
    /// account's failures elsewhere stay counted.
    pub async fn record_success(&self, account: i64, address: &str) -> Result<(), UserError> {
        self.store.delete(&pair_key(account, address)).await?;
        Ok(())
    }
}

/// Refuses once the counter at `key` has reached `bound` (the login bounds, the daily cap of
/// wrong reset codes).
pub(crate) async fn under(
    store: &dyn EphemeralStore,
    key: &str,
    bound: u64,
    window: Duration,
) -> Result<(), UserError> {
    let count = store.get(key).await?;
    let count = count.and_then(|c| c.parse::<u64>().ok()).unwrap_or(0);
    if count >= bound {
        return Err(too_many(store, key, window).await?);
    }
    Ok(())
}

/// `TooManyAttempts`, with the honest time until the counter at `key` expires.
async fn too_many(
    store: &dyn EphemeralStore,
    key: &str,
    window: Duration,
) -> Result<UserError, UserError> {
    let remaining = store.ttl(key).await?.unwrap_or(window);
    Ok(UserError::TooManyAttempts {
        retry_after_secs: remaining.as_secs().max(1),
    })
}

fn pair_key(account: i64, address: &str) -> String {
    format!("login_fail:account:{account}:addr:{address}")
}

fn account_key(account: i64) -> String {
    format!("login_fail:account:{account}")
}

fn address_key(address: &str) -> String {
    format!("login_fail:addr:{address}")
}
