//! The hub: who is connected to this gateway and which rooms each socket is in. `Hub` is plain
//! synchronous state, tested without sockets; one task owns it (`hub_task`), driven through a
//! cloneable `HubHandle`.
use bytestring::ByteString;
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};
use user::UserId;

pub type ConnId = u64;

/// A frame on its way to sockets, shared by every recipient: a socket's queue holds a pointer
/// per frame, so an idle socket's queue costs little.
pub type Outbound = std::sync::Arc<LiveFrame>;

#[derive(Debug)]
pub struct LiveFrame {
    pub delivery: Delivery,
    pub text: ByteString,
}

/// What a live frame is to the socket that gets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A message of the room at its seq: a socket skips what it already got from a replay.
    Message { room: i64, seq: i64 },
    /// News of the room without a seq (a member joined or left). A socket that gets it for a
    /// room it did not join was put there by the server: its user was added.
    Notice { room: i64 },
    /// The socket was taken out of the room: its user left or was removed.
    Left { room: i64 },
    /// For users wherever they are, not for a room (API.md §7 events).
    Personal,
}

impl Delivery {
    pub fn room(self) -> Option<i64> {
        match self {
            Delivery::Message { room, .. }
            | Delivery::Notice { room }
            | Delivery::Left { room } => Some(room),
            Delivery::Personal => None,
        }
    }
}

/// Why the hub let go of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kick {
    /// Its queue was full: the reader is too slow for the room.
    SlowReader,
    /// The user's tokens were revoked (a password reset): log in again.
    Revoked,
}

struct Conn {
    user: UserId,
    queue: mpsc::Sender<Outbound>,
    kick: Option<oneshot::Sender<Kick>>,
    rooms: HashSet<i64>,
}

/// Room → sockets and socket → rooms on this gateway.
#[derive(Default)]
pub struct Hub {
    conns: HashMap<ConnId, Conn>,
    rooms: HashMap<i64, HashSet<ConnId>>,
    users: HashMap<UserId, HashSet<ConnId>>,
    /// Per room with local sockets, the newest seq this gateway has delivered or its sockets
    /// were told at their join: the catch-up compares it with the database.
    seqs: HashMap<i64, i64>,
    /// Socket-room pairs, kept as they change (for the metrics).
    joined: usize,
    /// Since the last `take_counts`: frames queued, sockets dropped for a full queue.
    delivered: u64,
    dropped: u64,
}

/// What the hub counted since it was last asked.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sockets: usize,
    pub joined: usize,
    pub delivered: u64,
    pub dropped: u64,
}

/// What a change did to this gateway's interest in a room.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Interest {
    /// Rooms that now have their first local socket: subscribe.
    pub gained: Vec<i64>,
    /// Rooms that lost their last local socket: unsubscribe.
    pub lost: Vec<i64>,
}

impl LiveFrame {
    pub fn shared(delivery: Delivery, text: ByteString) -> Outbound {
        std::sync::Arc::new(Self { delivery, text })
    }
}

impl Hub {
    pub fn connect(
        &mut self,
        conn: ConnId,
        user: UserId,
        queue: mpsc::Sender<Outbound>,
        kick: oneshot::Sender<Kick>,
    ) {
        let entry = Conn {
            user,
            queue,
            kick: Some(kick),
            rooms: HashSet::new(),
        };
        self.conns.insert(conn, entry);
        self.users.entry(user).or_default().insert(conn);
    }

    pub fn disconnect(&mut self, conn: ConnId) -> Interest {
        let mut interest = Interest::default();
        let Some(entry) = self.conns.remove(&conn) else {
            return interest;
        };
        if let Some(conns) = self.users.get_mut(&entry.user) {
            conns.remove(&conn);
            if conns.is_empty() {
                self.users.remove(&entry.user);
            }
        }
        for room in entry.rooms {
            if self.remove_from_room(conn, room) {
                interest.lost.push(room);
            }
        }
        interest
    }

    /// Puts a socket in a room: `Some(true)` when it is the room's first local socket, `None`
    /// when the socket is gone (kicked meanwhile).
    pub fn join(&mut self, conn: ConnId, room: i64) -> Option<bool> {
        let entry = self.conns.get_mut(&conn)?;
        entry.rooms.insert(room);
        let members = self.rooms.entry(room).or_default();
        if members.insert(conn) {
            self.joined += 1;
        }
        Some(members.len() == 1)
    }

    /// Takes a socket out of a room; `true` when the room has no local socket left.
    pub fn leave(&mut self, conn: ConnId, room: i64) -> bool {
        if let Some(entry) = self.conns.get_mut(&conn) {
            entry.rooms.remove(&room);
        }
        self.remove_from_room(conn, room)
    }

    fn remove_from_room(&mut self, conn: ConnId, room: i64) -> bool {
        let Some(members) = self.rooms.get_mut(&room) else {
            return false;
        };
        let removed = members.remove(&conn);
        if removed {
            self.joined -= 1;
        }
        if members.is_empty() {
            self.rooms.remove(&room);
            self.seqs.remove(&room);
            return removed;
        }
        false
    }

    /// A socket of `room` has everything up to `seq` (what its join read from the database).
    pub fn seen(&mut self, room: i64, seq: i64) {
        if self.rooms.contains_key(&room) {
            let newest = self.seqs.entry(room).or_insert(seq);
            *newest = (*newest).max(seq);
        }
    }

    /// The rooms with local sockets whose newest seq is known, and that seq.
    pub fn seqs(&self) -> Vec<(i64, i64)> {
        self.seqs.iter().map(|(room, seq)| (*room, *seq)).collect()
    }

    /// Every (user, room) that has a local socket in the room.
    pub fn memberships(&self) -> Vec<(UserId, i64)> {
        let mut pairs: Vec<(UserId, i64)> = self
            .conns
            .values()
            .flat_map(|conn| conn.rooms.iter().map(|room| (conn.user, *room)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    fn conns_of(&self, user: UserId) -> Vec<ConnId> {
        self.users
            .get(&user)
            .into_iter()
            .flatten()
            .copied()
            .collect()
    }

    /// Every socket of these users gets the frame.
    pub fn deliver_to_users(&mut self, users: &[UserId], frame: &Outbound) -> Interest {
        let mut interest = Interest::default();
        for user in users {
            for conn in self.conns_of(*user) {
                self.send_or_disconnect(conn, frame, &mut interest);
            }
        }
        interest
    }

    /// Every socket of `user` on this gateway joins `room` (they were just added to it).
    pub fn add_user(&mut self, user: UserId, room: i64) -> Interest {
        let conns = self.conns_of(user);
        // Every socket joins (no short-circuit); the room is gained if the first one did.
        let joined: Vec<Option<bool>> = conns
            .into_iter()
            .map(|conn| self.join(conn, room))
            .collect();
        let gained = joined.contains(&Some(true));
        Interest {
            gained: if gained { vec![room] } else { vec![] },
            lost: vec![],
        }
    }

    /// Every socket of `user` leaves `room`, told so with `frame` first.
    pub fn remove_user(&mut self, user: UserId, room: i64, frame: &Outbound) -> Interest {
        let conns = self.conns_of(user);
        let mut interest = Interest::default();
        for conn in conns {
            if self
                .rooms
                .get(&room)
                .is_some_and(|members| members.contains(&conn))
            {
                self.send_to(conn, frame);
                if self.leave(conn, room) {
                    interest.lost.push(room);
                }
            }
        }
        interest
    }

    /// Queues the frame for every socket in `room`. A socket whose queue is full is let go
    /// (told through its kick signal), never waited for.
    pub fn deliver(&mut self, room: i64, frame: &Outbound) -> Interest {
        self.deliver_in_room(room, std::slice::from_ref(frame))
    }

    /// Queues frames for their rooms' sockets, in order. Each socket gets all of its frames in a
    /// row, so that its task wakes once for them and writes them together: a batch of a room's
    /// messages costs each socket one wake-up and one write, not one per message.
    pub fn deliver_many(&mut self, frames: &[Outbound]) -> Interest {
        let first_room = frames.first().and_then(|frame| frame.delivery.room());
        if let Some(room) = first_room
            && frames
                .iter()
                .all(|frame| frame.delivery.room() == Some(room))
        {
            // The common case, every frame for one room.
            return self.deliver_in_room(room, frames);
        }
        self.note_seqs(frames);
        let mut per_conn: HashMap<ConnId, Vec<&Outbound>> = HashMap::new();
        for frame in frames {
            let conns = frame.delivery.room().and_then(|room| self.rooms.get(&room));
            for conn in conns.into_iter().flatten() {
                per_conn.entry(*conn).or_default().push(frame);
            }
        }
        let mut interest = Interest::default();
        for (conn, frames) in per_conn {
            self.send_in_a_row(conn, frames.into_iter(), &mut interest);
        }
        interest
    }

    /// Every socket in `room` gets all of `frames`, in a row; a full queue lets its socket go.
    fn deliver_in_room(&mut self, room: i64, frames: &[Outbound]) -> Interest {
        self.note_seqs(frames);
        let mut interest = Interest::default();
        for conn in self.sockets_in(room) {
            self.send_in_a_row(conn, frames.iter(), &mut interest);
        }
        interest
    }

    /// The messages among `frames` are the newest their rooms have had delivered.
    fn note_seqs(&mut self, frames: &[Outbound]) {
        for frame in frames {
            if let Delivery::Message { room, seq } = frame.delivery {
                self.seen(room, seq);
            }
        }
    }

    /// Queues the frames for the socket in order, up to the first it cannot take.
    fn send_in_a_row<'a>(
        &mut self,
        conn: ConnId,
        frames: impl Iterator<Item = &'a Outbound>,
        interest: &mut Interest,
    ) {
        for frame in frames {
            if !self.send_or_disconnect(conn, frame, interest) {
                return;
            }
        }
    }

    fn sockets_in(&self, room: i64) -> Vec<ConnId> {
        self.rooms
            .get(&room)
            .into_iter()
            .flatten()
            .copied()
            .collect()
    }

    /// Queues the frame for the socket, or lets the socket go when it cannot take it (adding
    /// the rooms that left this gateway with it to `interest`); `false` then.
    fn send_or_disconnect(
        &mut self,
        conn: ConnId,
        frame: &Outbound,
        interest: &mut Interest,
    ) -> bool {
        let sent = self.send_to(conn, frame);
        if !sent {
            interest.lost.extend(self.disconnect(conn).lost);
        }
        sent
    }

    /// `false` when the socket is too slow (it has been kicked) or gone.
    fn send_to(&mut self, conn: ConnId, frame: &Outbound) -> bool {
        let Some(entry) = self.conns.get_mut(&conn) else {
            return false;
        };
        match entry.queue.try_send(frame.clone()) {
            Ok(()) => {
                self.delivered += 1;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.dropped += 1;
                if let Some(kick) = entry.kick.take() {
                    let _ = kick.send(Kick::SlowReader);
                }
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Lets go of every socket of `user` with `reason`.
    pub fn kick_user(&mut self, user: UserId, reason: Kick) -> Interest {
        let conns = self.conns_of(user);
        self.kick(conns, reason)
    }

    fn kick(&mut self, conns: Vec<ConnId>, reason: Kick) -> Interest {
        let mut interest = Interest::default();
        for conn in conns {
            if let Some(kick) = self
                .conns
                .get_mut(&conn)
                .and_then(|entry| entry.kick.take())
            {
                let _ = kick.send(reason);
            }
            interest.lost.extend(self.disconnect(conn).lost);
        }
        interest
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// The gauges now, and the counters since the last call (which resets them).
    pub fn take_counts(&mut self) -> Counts {
        Counts {
            sockets: self.conns.len(),
            joined: self.joined,
            delivered: std::mem::take(&mut self.delivered),
            dropped: std::mem::take(&mut self.dropped),
        }
    }
}

#[cfg(test)]
#[path = "hub_tests.rs"]
mod tests;
