//! `EphemeralStore` implementations: Redis (shared by every gateway) or an in-process map (one
//! gateway, or a test).
use async_trait::async_trait;
use deadpool_redis::{Pool, redis};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use user::{Clock, EphemeralStore, KeyStoreError, SystemClock};

/// Keys live in Redis under a prefix, with Redis doing the expiry.
pub struct RedisStore {
    pool: Pool,
    prefix: String,
}

impl RedisStore {
    pub fn new(pool: Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: prefix.to_owned(),
        }
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, KeyStoreError> {
        let mut conn = self.pool.get().await.map_err(store_error)?;
        cmd.query_async(&mut conn).await.map_err(store_error)
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn store_error(err: impl std::fmt::Display) -> KeyStoreError {
    KeyStoreError(err.to_string())
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl EphemeralStore for RedisStore {
    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, KeyStoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl));
        let stored: Option<String> = self.query(&cmd).await?;
        Ok(stored.is_some())
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), KeyStoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(key)).arg(value).arg("PX").arg(millis(ttl));
        self.query::<()>(&cmd).await
    }

    async fn get(&self, key: &str) -> Result<Option<String>, KeyStoreError> {
        self.query(redis::cmd("GET").arg(self.key(key))).await
    }

    async fn ttl(&self, key: &str) -> Result<Option<Duration>, KeyStoreError> {
        let ms: i64 = self.query(redis::cmd("PTTL").arg(self.key(key))).await?;
        // -2: no such key; -1: no expiry (never set by us).
        Ok(u64::try_from(ms).ok().map(Duration::from_millis))
    }

    async fn add(&self, key: &str, amount: i64, window: Duration) -> Result<i64, KeyStoreError> {
        // One atomic script: the window starts when the counter is created (any Redis version;
        // `PEXPIRE .. NX` would need Redis 7).
        let script = redis::Script::new(
            "local n = redis.call('INCRBY', KEYS[1], ARGV[2]) \
             if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
             return n",
        );
        let mut conn = self.pool.get().await.map_err(store_error)?;
        script
            .key(self.key(key))
            .arg(millis(window))
            .arg(amount)
            .invoke_async(&mut conn)
            .await
            .map_err(store_error)
    }

    async fn delete(&self, key: &str) -> Result<bool, KeyStoreError> {
        let removed: u64 = self.query(redis::cmd("DEL").arg(self.key(key))).await?;
        Ok(removed > 0)
    }
}

/// The embedded default: a map with lazy expiry, swept as it grows. Expiry is read from its
/// clock, so a test can pass a `ManualClock` and move time on instead of sleeping.
pub struct MemoryStore {
    inner: Mutex<Inner>,
    clock: Arc<dyn Clock>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    operations: usize,
}

struct Entry {
    value: String,
    expires: Instant,
}

const SWEEP_EVERY: usize = 1024;

impl MemoryStore {
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Mutex::default(),
            clock,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>, Instant) -> T) -> T {
        let now = self.clock.now();
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.operations = inner.operations.wrapping_add(1);
        if inner.operations.is_multiple_of(SWEEP_EVERY) {
            inner.entries.retain(|_, entry| entry.expires > now);
        }
        f(&mut inner.entries, now)
    }

    fn live<'a>(entries: &'a HashMap<String, Entry>, key: &str, now: Instant) -> Option<&'a Entry> {
        entries.get(key).filter(|entry| entry.expires > now)
    }
}

#[async_trait]
impl EphemeralStore for MemoryStore {
    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, KeyStoreError> {
        Ok(self.with(|entries, now| {
            if Self::live(entries, key, now).is_some() {
                return false;
            }
            let value = value.to_owned();
            entries.insert(
                key.to_owned(),
                Entry {
                    value,
                    expires: now + ttl,
                },
            );
            true
        }))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), KeyStoreError> {
        self.with(|entries, now| {
            let value = value.to_owned();
            entries.insert(
                key.to_owned(),
                Entry {
                    value,
                    expires: now + ttl,
                },
            );
        });
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<String>, KeyStoreError> {
        Ok(self.with(|entries, now| Self::live(entries, key, now).map(|e| e.value.clone())))
    }

    async fn ttl(&self, key: &str) -> Result<Option<Duration>, KeyStoreError> {
        Ok(self.with(|entries, now| Self::live(entries, key, now).map(|e| e.expires - now)))
    }

    async fn add(&self, key: &str, amount: i64, window: Duration) -> Result<i64, KeyStoreError> {
        Ok(self.with(|entries, now| {
            let (count, expires) = match Self::live(entries, key, now) {
                Some(entry) => (
                    entry
                        .value
                        .parse::<i64>()
                        .unwrap_or(0)
                        .saturating_add(amount),
                    entry.expires,
                ),
                None => (amount, now + window),
            };
            let value = count.to_string();
            entries.insert(key.to_owned(), Entry { value, expires });
            count
        }))
    }

    async fn delete(&self, key: &str) -> Result<bool, KeyStoreError> {
        Ok(self.with(|entries, now| entries.remove(key).is_some_and(|entry| entry.expires > now)))
    }
}
