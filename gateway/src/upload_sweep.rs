//! The upload sweep: every `upload_sweep_secs` one gateway (whichever takes the turn in the
//! shared key store) removes the uploads nobody uses once they are `upload_grace_secs` old:
//! - an avatar that is not its owner's `headPic`;
//! - an attachment that no message named by then (each is looked at in the two sweeps after it
//!   comes of age, against the messages of that time: a later message can only name it by
//!   copying a message that already did);
//! - what an upload left without finishing (the local store after a crash; an S3 upload is
//!   all or nothing).
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;
use storage::key::{ObjectKey, Purpose};
use storage::{ObjectStore, StoreError, StoredObject, ago};
use tokio_util::sync::CancellationToken;
use user::EphemeralStore;

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("key store: {0}")]
    Turn(#[from] user::KeyStoreError),
}

pub struct Sweep {
    pub store: Arc<dyn ObjectStore>,
    pub db: DatabaseConnection,
    /// Where the gateways take turns.
    pub turns: Arc<dyn EphemeralStore>,
    pub every: Duration,
    pub grace: Duration,
    /// A message may name an upload from its presign on, up to this long before the bytes.
    pub upload_ttl: Duration,
    pub metrics: Metrics,
}

/// Most uploads a sweep removes when it found none of the judged ones in use: more than this
/// looks like fresh times on an old store (a restored backup, a copied bucket) or the wrong
/// database, not like disuse, so nothing is removed and the log says why.
const UNLIKELY_ALL_UNUSED: usize = 100;

/// The judged uploads that are unused, unless that looks like a mistake (see above).
fn plausible(kind: &str, unused: Vec<StoredObject>, judged: usize) -> Vec<StoredObject> {
    if unused.len() > UNLIKELY_ALL_UNUSED && unused.len() == judged {
        tracing::error!(
            kind,
            unused = unused.len(),
            "every judged upload looks unused: is this the service's own bucket and database, \
             with the objects' original times? Nothing removed"
        );
        return Vec::new();
    }
    unused
}

impl Sweep {
    /// Sweeps every `every` (not at once) until `shutdown`; an `every` of zero never sweeps.
    pub fn start(self, shutdown: CancellationToken) {
        if self.every.is_zero() {
            return;
        }
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(self.every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = shutdown.cancelled() => return,
                }
                match self.take_turn().await {
                    Ok(Some(removed)) if removed > 0 => {
                        tracing::info!(removed, "removed unused uploads");
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(%err, "the upload sweep failed; it runs again later")
                    }
                }
            }
        });
    }

    /// Sweeps unless another gateway did within this period; how many uploads went.
    pub async fn take_turn(&self) -> Result<Option<usize>, SweepError> {
        let turn = self.every.checked_div(2).unwrap_or_default();
        if !self.turns.set_if_absent("upload-sweep", "1", turn).await? {
            return Ok(None);
        }
        let removed = self.sweep(Utc::now()).await?;
        self.metrics.upload_sweeps.inc();
        Ok(Some(removed))
    }

    /// Removes what is unused as of `now`.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, SweepError> {
        let of_age = ago(now, self.grace);
        let mut unused = self.unused_avatars(of_age).await?;
        unused.extend(self.unused_attachments(of_age).await?);
        let mut removed = 0;
        for object in &unused {
            match self.store.delete(object).await {
                Ok(()) => removed += 1,
                Err(err) => {
                    tracing::warn!(%err, path = %object.path, "could not remove an unused upload");
                }
            }
        }
        self.metrics.uploads_removed.inc_by(removed as u64);
        Ok(removed)
    }

    async fn unused_avatars(&self, of_age: DateTime<Utc>) -> Result<Vec<StoredObject>, SweepError> {
        let old: Vec<StoredObject> = self
            .store
            .list(Purpose::Avatar, None)
            .await?
            .into_iter()
            .filter(|object| object.modified < of_age)
            .collect();
        let owners: BTreeSet<i64> = old.iter().map(|object| object.owner.get()).collect();
        let owners: Vec<i64> = owners.into_iter().collect();
        let shown = user::head_pics(&self.db, &owners).await?;
        let judged = old.len();
        let unused = old
            .into_iter()
            .filter(|object| {
                let pic = shown
                    .get(&object.owner.get())
                    .and_then(|pic| ObjectKey::from_url(pic));
                !matches!((&object.key, pic), (Some(key), Some(pic)) if *key == pic)
            })
            .collect();
        Ok(plausible("avatar", unused, judged))
    }

    async fn unused_attachments(
        &self,
        of_age: DateTime<Utc>,
    ) -> Result<Vec<StoredObject>, SweepError> {
        // Two sweeps' worth: each attachment is judged twice, in case one sweep is missed.
        let judged_from = ago(of_age, self.every.saturating_mul(2));
        let candidates: Vec<StoredObject> = self
            .store
            .list(Purpose::Attachment, None)
            .await?
            .into_iter()
            .filter(|object| {
                object.modified < of_age && (object.key.is_none() || object.modified >= judged_from)
            })
            .collect();
        if candidates.is_empty() {
            return Ok(candidates);
        }
        // Clocks of gateways and of S3 differ a little: an hour of slack.
        let named_since = ago(judged_from, self.upload_ttl + Duration::from_secs(3600));
        let named: HashSet<String> = chat::attachment_urls_since(&self.db, named_since)
            .await?
            .iter()
            .filter_map(|url| ObjectKey::from_url(url))
            .map(|key| key.as_str().to_owned())
            .collect();
        let judged = candidates.len();
        let unused = candidates
            .into_iter()
            .filter(|object| {
                !object
                    .key
                    .as_ref()
                    .is_some_and(|key| named.contains(key.as_str()))
            })
            .collect();
        Ok(plausible("attachment", unused, judged))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use user::UserId;

    fn objects(count: usize) -> Vec<StoredObject> {
        (0..count)
            .map(|n| StoredObject {
                key: None,
                path: format!("attachment/1/{n}"),
                owner: UserId::new(1),
                size: 1,
                modified: Utc::now(),
            })
            .collect()
    }

    #[test]
    fn a_sweep_that_finds_everything_unused_removes_nothing() {
        assert!(plausible("attachment", objects(101), 101).is_empty());
        assert_eq!(plausible("attachment", objects(101), 102).len(), 101);
        assert_eq!(plausible("avatar", objects(100), 100).len(), 100);
    }
}
