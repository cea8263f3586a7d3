//! The storage quota: what one user may keep, avatars and attachments together. It counts what
//! is stored and what was presigned within the lifetime of an upload URL (a counter in the
//! ephemeral store, shared by every gateway), so many presigns at once cannot pass it either.
//! An upload finished within that window is in both; it is counted once (the larger of the
//! two), which never undercounts what is stored or on its way (but for what was stored in the
//! minute before the window, which is allowed for the store's clock).
use crate::error::ApiError;
use crate::storage::Storage;
use crate::storage::key::Purpose;
use crate::storage::sweep::ago;
use actix_web::http::StatusCode;
use chrono::Utc;
use std::time::Duration;
use user::UserId;

const MIB: u64 = 1024 * 1024;

/// How far the store's clock may be from ours.
const CLOCK_SLACK: Duration = Duration::from_secs(60);

impl Storage {
    /// Reserves `size` bytes of `owner`'s quota for an upload, or refuses it with 413
    /// `quota_exceeded`.
    pub async fn reserve(&self, owner: UserId, size: u64) -> Result<(), ApiError> {
        let quota = self.quota_bytes;
        if quota == 0 {
            return Ok(());
        }
        let key = format!("upload-reserved:{}", owner.0);
        let window = Duration::from_secs(u64::from(self.upload_ttl_secs));
        let amount = i64::try_from(size).unwrap_or(i64::MAX);
        let unavailable =
            |err: user::StoreError| ApiError::unavailable("store_unavailable", "key store", &err);
        let reserved = self
            .reservations
            .add(&key, amount, window)
            .await
            .map_err(unavailable)?;
        let left = self.reservations.ttl(&key).await.map_err(unavailable)?;
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
        self.reservations
            .add(&key, -amount, window)
            .await
            .map_err(unavailable)?;
        let in_use = used.saturating_sub(size);
        Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "quota_exceeded",
            format!(
                "Each user may store {} MiB; {} MiB are stored or being uploaded, so this file \
                 does not fit",
                quota.div_ceil(MIB),
                in_use.div_ceil(MIB),
            ),
        ))
    }
}
