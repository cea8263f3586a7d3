//! The hub's side of the bus: which rooms this gateway wants to hear. With Redis the subscriber
//! task (ws/bus.rs) follows the wanted set on its connection; in one process every event reaches
//! the hub anyway.
//!
//! The wanted set is state, not a queue: it is as large as the rooms this gateway follows, never
//! larger, and the hub never waits to change it. (The subscriber waits for the hub when it hands
//! over events, so the hub waiting for the subscriber could stall both.) A room joined and left
//! before the subscriber looks costs nothing.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{Notify, oneshot};

#[derive(Default)]
struct Wanted {
    rooms: HashSet<i64>,
    /// Rooms added or removed since the subscriber last looked.
    changed: HashSet<i64>,
    /// Joins waiting for their room's subscription to be live.
    waiting: HashMap<i64, Vec<oneshot::Sender<()>>>,
}

#[derive(Clone, Default)]
struct Shared {
    wanted: Arc<Mutex<Wanted>>,
    changed: Arc<Notify>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Wanted> {
        self.wanted.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The hub's side of the bus: which rooms this gateway wants to hear.
pub struct Subscriptions {
    redis: Option<Shared>,
}

/// The subscriber's side: what to subscribe to on its connection.
pub struct WantedRooms {
    shared: Shared,
}

/// What changed since the subscriber last looked.
pub struct Changes {
    /// Each changed room, and whether it is wanted now.
    pub rooms: Vec<(i64, bool)>,
    /// To be told once the rooms above are subscribed.
    pub waiting: Vec<oneshot::Sender<()>>,
}

impl Subscriptions {
    /// One process: every event reaches the hub, there is nothing to subscribe to.
    pub fn local() -> Self {
        Self { redis: None }
    }

    /// Redis: the subscriber task follows the wanted set through `WantedRooms`.
    pub fn redis() -> (Self, WantedRooms) {
        let shared = Shared::default();
        (
            Self {
                redis: Some(shared.clone()),
            },
            WantedRooms { shared },
        )
    }

    /// `done` resolves once the room's messages reach this gateway.
    pub fn subscribe(&self, room: i64, done: Option<oneshot::Sender<()>>) {
        let Some(shared) = &self.redis else {
            if let Some(done) = done {
                let _ = done.send(());
            }
            return;
        };
        let mut wanted = shared.lock();
        if wanted.rooms.insert(room) {
            wanted.changed.insert(room);
        }
        if let Some(done) = done {
            wanted.waiting.entry(room).or_default().push(done);
        }
        drop(wanted);
        shared.changed.notify_one();
    }

    pub fn unsubscribe(&self, room: i64) {
        if let Some(shared) = &self.redis {
            let mut wanted = shared.lock();
            if wanted.rooms.remove(&room) {
                wanted.changed.insert(room);
            }
            drop(wanted);
            shared.changed.notify_one();
        }
    }
}

impl WantedRooms {
    /// Resolves when something changed since the last `take_changes` (at once if it already
    /// has).
    pub async fn changed(&self) {
        self.shared.changed.notified().await;
    }

    /// What changed since the last call, and the joins waiting for it.
    pub fn take_changes(&self) -> Changes {
        let mut wanted = self.shared.lock();
        let changed = std::mem::take(&mut wanted.changed);
        let rooms = changed
            .into_iter()
            .map(|room| (room, wanted.rooms.contains(&room)))
            .collect();
        let waiting = std::mem::take(&mut wanted.waiting)
            .into_values()
            .flatten()
            .collect();
        Changes { rooms, waiting }
    }

    /// Every room wanted now, for a new connection; what changed before is part of it.
    pub fn take_all(&self) -> (HashSet<i64>, Vec<oneshot::Sender<()>>) {
        let Changes { waiting, .. } = self.take_changes();
        (self.shared.lock().rooms.clone(), waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_subscriber_sees_the_net_change_and_the_waiting_joins() {
        let (subscriptions, wanted) = Subscriptions::redis();
        let (done, subscribed) = oneshot::channel();
        subscriptions.subscribe(1, Some(done));
        subscriptions.subscribe(2, None);
        subscriptions.unsubscribe(2);
        wanted.changed().await;
        let changes = wanted.take_changes();
        let mut rooms = changes.rooms;
        rooms.sort_unstable();
        assert_eq!(rooms, [(1, true), (2, false)]);
        for done in changes.waiting {
            let _ = done.send(());
        }
        assert!(subscribed.await.is_ok());
        assert!(wanted.take_changes().rooms.is_empty());
        let (all, waiting) = wanted.take_all();
        assert_eq!(all, HashSet::from([1]));
        assert!(waiting.is_empty());
    }
}
