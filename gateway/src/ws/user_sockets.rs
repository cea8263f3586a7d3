//! How many sockets each user holds on this gateway, so one account cannot open unbounded
//! connections (`ws_max_sockets_per_user`). A permit is taken before the upgrade and given back
//! when its connection ends, however it ends.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone, Default)]
pub struct UserSockets {
    counts: Arc<Mutex<HashMap<i64, usize>>>,
}

/// One socket of one user; dropping it frees the slot.
pub struct SocketPermit {
    counts: Arc<Mutex<HashMap<i64, usize>>>,
    user: i64,
}

impl UserSockets {
    /// A slot for another socket of `user`, unless they already hold `max`.
    pub fn acquire(&self, user: i64, max: usize) -> Option<SocketPermit> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(user).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketPermit {
            counts: self.counts.clone(),
            user,
        })
    }
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_per_user_and_come_back() {
        let sockets = UserSockets::default();
        let first = sockets.acquire(1, 2);
        let second = sockets.acquire(1, 2);
        assert!(first.is_some() && second.is_some());
        assert!(sockets.acquire(1, 2).is_none());
        assert!(sockets.acquire(2, 2).is_some());
        drop(first);
        assert!(sockets.acquire(1, 2).is_some());
    }
}
