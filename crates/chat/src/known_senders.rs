//! The senders' summaries (username, nickname, picture) a writer read recently, so that the
//! lock of a one-room batch need not read them again: on MariaDB the subqueries that read them
//! are about a third of that statement's cost (117 of 350 µs). A summary is used for `FRESH`
//! after it was read; a profile
//! change on this gateway (`SendQueue::profiles_changed`) forgets every one at once, so a user
//! who changes their name sees the new one on their next message. A change made through another
//! gateway reaches this one's live frames within `FRESH` (history reads are never cached).
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use user::{UserId, UserSummary};

/// How long a summary read from the database is used for.
pub(crate) const FRESH: Duration = Duration::from_secs(1);

/// Summaries kept before `learn` prunes: the stale ones go, and all of them if at least this
/// many are still fresh (so the map holds at most this many plus one batch's senders).
const MOST: usize = 4096;

/// Profile changes seen on this gateway, counted; shared by the queue and its writers.
pub(crate) type ProfileChanges = Arc<AtomicU64>;

pub(crate) struct KnownSenders {
    known: HashMap<UserId, (UserSummary, Instant)>,
    changes: ProfileChanges,
    /// `changes` as of the last look.
    seen: u64,
}

impl KnownSenders {
    pub(crate) fn new(changes: ProfileChanges) -> Self {
        let seen = changes.load(Ordering::Acquire);
        Self {
            known: HashMap::new(),
            changes,
            seen,
        }
    }

    /// The fresh summaries of `senders` (all of them, or some, or none).
    pub(crate) fn fresh_among(
        &mut self,
        senders: impl IntoIterator<Item = UserId>,
        now: Instant,
    ) -> HashMap<UserId, UserSummary> {
        let changes = self.changes.load(Ordering::Acquire);
        if changes != self.seen {
            self.known.clear();
            self.seen = changes;
        }
        senders
            .into_iter()
            .filter_map(|sender| {
                let (summary, read) = self.known.get(&sender)?;
                (now.saturating_duration_since(*read) < FRESH).then(|| (sender, summary.clone()))
            })
            .collect()
    }

    /// Summaries just read from the database.
    pub(crate) fn learn<'a>(
        &mut self,
        summaries: impl IntoIterator<Item = &'a UserSummary>,
        now: Instant,
    ) {
        if self.known.len() >= MOST {
            self.known
                .retain(|_, (_, read)| now.saturating_duration_since(*read) < FRESH);
            if self.known.len() >= MOST {
                self.known.clear();
            }
        }
        for summary in summaries {
            self.known
                .insert(UserId::new(summary.id), (summary.clone(), now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FRESH, KnownSenders, ProfileChanges};
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};
    use user::{UserId, UserSummary};

    fn summary(id: i64, nick: &str) -> UserSummary {
        UserSummary {
            id,
            username: format!("user{id}"),
            nick_name: nick.to_owned(),
            head_pic: String::new(),
        }
    }

    #[test]
    fn a_summary_is_used_while_fresh_and_forgotten_after_a_profile_change() {
        let changes = ProfileChanges::default();
        let mut known = KnownSenders::new(changes.clone());
        let read = Instant::now();
        known.learn(&[summary(1, "Ann"), summary(2, "Bob")], read);
        let (ann, bob, cid) = (UserId::new(1), UserId::new(2), UserId::new(3));

        let fresh = known.fresh_among([ann, bob, cid], read + FRESH / 2);
        assert_eq!(fresh.len(), 2, "the two read, not the third");
        assert_eq!(fresh[&ann].nick_name, "Ann");
        assert!(known.fresh_among([ann], read + FRESH).is_empty(), "stale");

        known.learn(&[summary(1, "Ann")], read);
        changes.fetch_add(1, Ordering::Release);
        assert!(known.fresh_among([ann], read).is_empty(), "forgotten");
        known.learn(&[summary(1, "Anna")], read);
        assert_eq!(known.fresh_among([ann], read)[&ann].nick_name, "Anna");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let mut known = KnownSenders::new(ProfileChanges::default());
        let start = Instant::now();
        let many: Vec<UserSummary> = (0..super::MOST as i64).map(|id| summary(id, "x")).collect();
        known.learn(&many, start);
        known.learn(&[summary(-1, "late")], start + Duration::from_secs(5));
        assert_eq!(known.known.len(), 1, "the stale ones went");
    }
}
