//! The storage quota: what one user may keep, avatars and attachments together. It counts what
//! is stored and what was presigned within the lifetime of an upload URL (a counter in the
//! ephemeral store, shared by every gateway), so many presigns at once cannot pass it either.
//! An upload finished within that window is in both; it is counted once (the larger of the
//! two), which never undercounts what is stored or on its way (but for what was stored in the
//! minute before the window, which is allowed for the store's clock).
use crate::key::Purpose;
use crate::{Storage, StoreError, ago};
use chrono::Utc;
use std::time::Duration;
use user::UserId;

/// How far the store's clock may be from ours.
const CLOCK_SLACK: Duration = Duration::from_secs(60);

/// Why an upload was not reserved.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// `in_use` bytes are stored or being uploaded; with this upload they would pass `quota`.
    #[error("the upload quota of {quota} bytes would be passed ({in_use} in use)")]
    Exceeded { quota: u64, in_use: u64 },
    #[error("key store: {0}")]
    KeyStore(#[from] user::KeyStoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Storage {
    /// Reserves `size` bytes of `owner`'s quota for an upload, or says why not.
    pub async fn reserve(&self, owner: UserId, size: u64) -> Result<(), QuotaError> {
        let quota = self.quota_bytes;
        if quota == 0 {
            return Ok(());
        }
        let key = format!("upload-reserved:{}", owner.get());
        let window = Duration::from_secs(u64::from(self.upload_ttl_secs));
        let amount = i64::try_from(size).unwrap_or(i64::MAX);
        let reserved = self.reservations.add(&key, amount, window).await?;
        let left = self.reservations.ttl(&key).await?;
        let elapsed = window.saturating_sub(left.unwrap_or(window));
        // A minute of slack: S3 keeps its own clock, some servers to the second.
        let elapsed = elapsed + CLOCK_SLACK;
        let window_start = ago(Utc::now(), elapsed);
        let (mut before, mut within) = (0_u64, 0_u64);
        for purpose in [Purpose::Avatar, Purpose::Attachment] {
            for object in self.store.list(purpose, Some(owner)).await? {
                if object.modified < window_start {
                    before += object.size;
                } else {
                    within += object.size;
                }
            }
        }
        let reserved = u64::try_from(reserved).unwrap_or(0);
        let used = before.saturating_add(reserved.max(within.saturating_add(size)));
        if used <= quota {
            return Ok(());
        }
        // Handed back, so a refused request does not count against the next one.
        self.reservations.add(&key, -amount, window).await?;
        Err(QuotaError::Exceeded {
            quota,
            in_use: used.saturating_sub(size),
        })
    }
}
