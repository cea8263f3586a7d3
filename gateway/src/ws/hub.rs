//! The hub: one task that owns who is connected to this gateway and which rooms each socket is
//! in, driven through a cloneable `HubHandle`. `Hub` itself is plain synchronous state, tested
//! without sockets.
use crate::ws::bus::Subscriptions;
use bytestring::ByteString;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};
use user::UserId;

pub type ConnId = u64;

/// A frame on its way to sockets; the text is shared by every recipient.
#[derive(Clone, Debug)]
pub struct Outbound {
    pub room: i64,
    /// The message's seq, so a socket can skip what it already got from a replay.
    pub seq: Option<i64>,
    pub text: ByteString,
}

/// Why the hub let go of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kick {
    /// Its queue was full: the reader is too slow for the room.
    SlowReader,
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
}

/// What a change did to this gateway's interest in a room.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Interest {
    /// Rooms that now have their first local socket: subscribe.
    pub gained: Vec<i64>,
    /// Rooms that lost their last local socket: unsubscribe.
    pub lost: Vec<i64>,
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

    /// Puts a socket in a room; `true` when it is the room's first local socket.
    pub fn join(&mut self, conn: ConnId, room: i64) -> bool {
        let Some(entry) = self.conns.get_mut(&conn) else {
            return false;
        };
        entry.rooms.insert(room);
        let members = self.rooms.entry(room).or_default();
        members.insert(conn);
        members.len() == 1
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
        if members.is_empty() {
            self.rooms.remove(&room);
            return removed;
        }
        false
    }

    /// Every socket of `user` on this gateway joins `room` (they were just added to it).
    pub fn add_user(&mut self, user: UserId, room: i64) -> Interest {
        let conns: Vec<ConnId> = self
            .users
            .get(&user)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        // Every socket joins (no short-circuit); the room is gained if the first one did.
        let joined: Vec<bool> = conns
            .into_iter()
            .map(|conn| self.join(conn, room))
            .collect();
        let gained = joined.contains(&true);
        Interest {
            gained: if gained { vec![room] } else { vec![] },
            lost: vec![],
        }
    }

    /// Every socket of `user` leaves `room`, told so with `frame` first.
    pub fn remove_user(&mut self, user: UserId, room: i64, frame: &Outbound) -> Interest {
        let conns: Vec<ConnId> = self
            .users
            .get(&user)
            .into_iter()
            .flatten()
            .copied()
            .collect();
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

    /// Queues the frame for every socket in the room. A socket whose queue is full is let go
    /// (told through its kick signal), never waited for.
    pub fn deliver(&mut self, room: i64, frame: &Outbound) -> Interest {
        let conns: Vec<ConnId> = self
            .rooms
            .get(&room)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        let mut interest = Interest::default();
        for conn in conns {
            if !self.send_to(conn, frame) {
                interest.lost.extend(self.disconnect(conn).lost);
            }
        }
        interest
    }

    /// `false` when the socket is too slow (it has been kicked) or gone.
    fn send_to(&mut self, conn: ConnId, frame: &Outbound) -> bool {
        let Some(entry) = self.conns.get_mut(&conn) else {
            return false;
        };
        match entry.queue.try_send(frame.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if let Some(kick) = entry.kick.take() {
                    let _ = kick.send(Kick::SlowReader);
                }
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }
}

enum Command {
    Connect {
        conn: ConnId,
        user: UserId,
        queue: mpsc::Sender<Outbound>,
        kick: oneshot::Sender<Kick>,
    },
    Disconnect {
        conn: ConnId,
    },
    Join {
        conn: ConnId,
        room: i64,
        subscribed: oneshot::Sender<()>,
    },
    Leave {
        conn: ConnId,
        room: i64,
    },
    Deliver {
        frame: Outbound,
    },
    UserAdded {
        user: UserId,
        frame: Outbound,
    },
    UserRemoved {
        user: UserId,
        frame: Outbound,
    },
}

/// The way into the hub task; cheap to clone.
#[derive(Clone)]
pub struct HubHandle {
    commands: mpsc::UnboundedSender<Command>,
    next_conn: Arc<AtomicU64>,
}

impl HubHandle {
    /// Starts the hub task; `subscriptions` is told when this gateway gains or loses a room.
    pub fn start(subscriptions: Subscriptions) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(Hub::default(), receiver, subscriptions));
        Self {
            commands,
            next_conn: Arc::new(AtomicU64::new(1)),
        }
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    fn send(&self, command: Command) {
        // Only fails once the hub task has ended, at shutdown: nothing left to deliver to.
        let _ = self.commands.send(command);
    }

    pub fn connect(
        &self,
        conn: ConnId,
        user: UserId,
        queue: mpsc::Sender<Outbound>,
        kick: oneshot::Sender<Kick>,
    ) {
        self.send(Command::Connect {
            conn,
            user,
            queue,
            kick,
        });
    }

    pub fn disconnect(&self, conn: ConnId) {
        self.send(Command::Disconnect { conn });
    }

    /// Joins a room and resolves once this gateway receives the room's messages.
    pub async fn join(&self, conn: ConnId, room: i64) {
        let (subscribed, done) = oneshot::channel();
        self.send(Command::Join {
            conn,
            room,
            subscribed,
        });
        let _ = done.await;
    }

    pub fn leave(&self, conn: ConnId, room: i64) {
        self.send(Command::Leave { conn, room });
    }

    pub fn deliver(&self, frame: Outbound) {
        self.send(Command::Deliver { frame });
    }

    pub fn user_added(&self, user: UserId, frame: Outbound) {
        self.send(Command::UserAdded { user, frame });
    }

    pub fn user_removed(&self, user: UserId, frame: Outbound) {
        self.send(Command::UserRemoved { user, frame });
    }
}

async fn run(
    mut hub: Hub,
    mut commands: mpsc::UnboundedReceiver<Command>,
    subscriptions: Subscriptions,
) {
    while let Some(command) = commands.recv().await {
        let interest = match command {
            Command::Connect {
                conn,
                user,
                queue,
                kick,
            } => {
                hub.connect(conn, user, queue, kick);
                Interest::default()
            }
            Command::Disconnect { conn } => hub.disconnect(conn),
            Command::Join {
                conn,
                room,
                subscribed,
            } => {
                hub.join(conn, room);
                // Asked every time: the answer comes once the subscription is live.
                subscriptions.subscribe(room, Some(subscribed));
                Interest::default()
            }
            Command::Leave { conn, room } => Interest {
                lost: if hub.leave(conn, room) {
                    vec![room]
                } else {
                    vec![]
                },
                gained: vec![],
            },
            Command::Deliver { frame } => hub.deliver(frame.room, &frame),
            Command::UserAdded { user, frame } => {
                let interest = hub.add_user(user, frame.room);
                let delivered = hub.deliver(frame.room, &frame);
                Interest {
                    gained: interest.gained,
                    lost: delivered.lost,
                }
            }
            Command::UserRemoved { user, frame } => hub.remove_user(user, frame.room, &frame),
        };
        for room in interest.gained {
            subscriptions.subscribe(room, None);
        }
        for room in interest.lost {
            subscriptions.unsubscribe(room);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(room: i64, text: &str) -> Outbound {
        Outbound {
            room,
            seq: None,
            text: ByteString::from(text.to_owned()),
        }
    }

    fn socket(
        hub: &mut Hub,
        conn: ConnId,
        user: i64,
        capacity: usize,
    ) -> (mpsc::Receiver<Outbound>, oneshot::Receiver<Kick>) {
        let (queue, rx) = mpsc::channel(capacity);
        let (kick, kicked) = oneshot::channel();
        hub.connect(conn, UserId(user), queue, kick);
        (rx, kicked)
    }

    #[test]
    fn delivers_to_the_sockets_of_the_room_only() {
        let mut hub = Hub::default();
        let (mut a, _) = socket(&mut hub, 1, 10, 8);
        let (mut b, _) = socket(&mut hub, 2, 11, 8);
        assert!(hub.join(1, 100));
        assert!(!hub.join(2, 100));
        hub.join(2, 200);
        hub.deliver(100, &frame(100, "x"));
        hub.deliver(200, &frame(200, "y"));
        assert_eq!(a.try_recv().unwrap().text, "x");
        assert!(a.try_recv().is_err());
        assert_eq!(b.try_recv().unwrap().text, "x");
        assert_eq!(b.try_recv().unwrap().text, "y");
    }

    #[test]
    fn reports_rooms_gained_and_lost() {
        let mut hub = Hub::default();
        let _a = socket(&mut hub, 1, 10, 8);
        let _b = socket(&mut hub, 2, 10, 8);
        hub.join(1, 5);
        hub.join(2, 5);
        assert!(!hub.leave(1, 5));
        assert_eq!(hub.disconnect(2).lost, vec![5]);
        assert_eq!(hub.connection_count(), 1);
    }

    #[test]
    fn a_full_queue_kicks_the_slow_socket_and_spares_the_others() {
        let mut hub = Hub::default();
        let (_slow, mut kicked) = socket(&mut hub, 1, 10, 1);
        let (mut fast, _) = socket(&mut hub, 2, 11, 8);
        hub.join(1, 7);
        hub.join(2, 7);
        hub.deliver(7, &frame(7, "1"));
        hub.deliver(7, &frame(7, "2"));
        assert_eq!(kicked.try_recv(), Ok(Kick::SlowReader));
        assert_eq!(hub.connection_count(), 1);
        assert_eq!(fast.try_recv().unwrap().text, "1");
        assert_eq!(fast.try_recv().unwrap().text, "2");
    }

    #[test]
    fn membership_changes_move_every_socket_of_the_user() {
        let mut hub = Hub::default();
        let (mut tab1, _) = socket(&mut hub, 1, 10, 8);
        let (mut tab2, _) = socket(&mut hub, 2, 10, 8);
        assert_eq!(hub.add_user(UserId(10), 9).gained, vec![9]);
        hub.deliver(9, &frame(9, "hello"));
        assert_eq!(tab1.try_recv().unwrap().text, "hello");
        assert_eq!(tab2.try_recv().unwrap().text, "hello");
        assert_eq!(
            hub.remove_user(UserId(10), 9, &frame(9, "left")).lost,
            vec![9]
        );
        assert_eq!(tab1.try_recv().unwrap().text, "left");
        hub.deliver(9, &frame(9, "after"));
        assert!(tab1.try_recv().is_err() && tab2.try_recv().unwrap().text == "left");
    }
}
