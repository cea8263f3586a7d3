//! The task that owns the `Hub`, and the handle everything else uses to reach it. Its queue of
//! commands is bounded: a burst waits in the senders (the bus subscriber, the publisher behind
//! the write pipeline, the sockets) instead of growing without end; the hub itself never waits
//! on anyone (socket queues are `try_send`, subscriptions are state). It ends with the
//! application's cancellation token.
use crate::metrics::Metrics;
use crate::ws::hub::{ConnId, Delivery, Hub, Interest, Kick, LiveFrame, Outbound};
use crate::ws::subscriptions::Subscriptions;
use bytestring::ByteString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Commands that may wait for the hub: enough for bursts of a few thousand socket events.
const COMMANDS: usize = 4096;
use user::UserId;

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
        frames: Vec<Outbound>,
    },
    ToUsers {
        users: Vec<UserId>,
        frame: Outbound,
    },
    UsersAdded {
        users: Vec<UserId>,
        room: i64,
        frame: Outbound,
    },
    UserRemoved {
        user: UserId,
        room: i64,
        frame: Outbound,
    },
    KickUser {
        user: UserId,
        reason: Kick,
    },
    Seen {
        room: i64,
        seq: i64,
    },
    Seqs {
        reply: oneshot::Sender<Vec<(i64, i64)>>,
    },
    Memberships {
        reply: oneshot::Sender<Vec<(UserId, i64)>>,
    },
}

/// The way into the hub task; cheap to clone.
#[derive(Clone)]
pub struct HubHandle {
    commands: mpsc::Sender<Command>,
    next_conn: Arc<AtomicU64>,
    /// Wakes the catch-up (`ws::catch_up`) before its next round.
    catch_up: Arc<Notify>,
}

impl HubHandle {
    /// Starts the hub task, which runs until `shutdown`; `subscriptions` is told when this
    /// gateway gains or loses a room.
    pub fn start(
        subscriptions: Subscriptions,
        metrics: Metrics,
        shutdown: CancellationToken,
    ) -> Self {
        let (commands, receiver) = mpsc::channel(COMMANDS);
        tokio::spawn(async move {
            shutdown
                .run_until_cancelled(run(Hub::default(), receiver, subscriptions, metrics))
                .await
        });
        Self {
            commands,
            next_conn: Arc::new(AtomicU64::new(1)),
            catch_up: Arc::new(Notify::new()),
        }
    }

    /// What wakes the catch-up early.
    pub fn catch_up_signal(&self) -> Arc<Notify> {
        self.catch_up.clone()
    }

    /// A socket of `room` has everything up to `seq`.
    pub async fn seen(&self, room: i64, seq: i64) {
        self.send(Command::Seen { room, seq }).await;
    }

    /// The rooms with local sockets and the newest seq delivered in each.
    pub async fn seqs(&self) -> Vec<(i64, i64)> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Seqs { reply }).await;
        answer.await.unwrap_or_default()
    }

    /// Every (user, room) with a local socket in the room.
    pub async fn memberships(&self) -> Vec<(UserId, i64)> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Memberships { reply }).await;
        answer.await.unwrap_or_default()
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    async fn send(&self, command: Command) {
        // Only fails once the hub task has ended, at shutdown: nothing left to deliver to.
        let _ = self.commands.send(command).await;
    }

    pub async fn connect(
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
        })
        .await;
    }

    pub async fn disconnect(&self, conn: ConnId) {
        self.send(Command::Disconnect { conn }).await;
    }

    /// Joins a room and resolves once this gateway receives the room's messages.
    pub async fn join(&self, conn: ConnId, room: i64) {
        let (subscribed, done) = oneshot::channel();
        self.send(Command::Join {
            conn,
            room,
            subscribed,
        })
        .await;
        let _ = done.await;
    }

    pub async fn leave(&self, conn: ConnId, room: i64) {
        self.send(Command::Leave { conn, room }).await;
    }

    /// Frames for their rooms' sockets (messages and notices), in order.
    pub async fn deliver_many(&self, frames: Vec<Outbound>) {
        if !frames.is_empty() {
            self.send(Command::Deliver { frames }).await;
        }
    }

    /// `text` for every socket of these users, whatever rooms they follow (API.md §7 events).
    pub async fn deliver_to_users(&self, users: Vec<UserId>, text: ByteString) {
        let frame = LiveFrame::shared(Delivery::Personal, text);
        self.send(Command::ToUsers { users, frame }).await;
    }

    /// `users` were added to `room`: their sockets join it, then the room gets `text` once.
    pub async fn users_added(&self, users: Vec<UserId>, room: i64, text: ByteString) {
        let frame = LiveFrame::shared(Delivery::Notice { room }, text);
        self.send(Command::UsersAdded { users, room, frame }).await;
    }

    /// The bus may have lost messages (its subscription was down): the catch-up compares
    /// every local room with the database now, and the sockets stay open.
    pub fn resync_all(&self) {
        self.catch_up.notify_one();
    }

    /// `user` left `room`: their sockets here get `text` and leave it.
    pub async fn user_removed(&self, user: UserId, room: i64, text: ByteString) {
        let frame = LiveFrame::shared(Delivery::Left { room }, text);
        self.send(Command::UserRemoved { user, room, frame }).await;
    }

    /// Closes every socket of `user` on this gateway: their tokens were revoked.
    pub async fn user_revoked(&self, user: UserId) {
        self.send(Command::KickUser {
            user,
            reason: Kick::Revoked,
        })
        .await;
    }
}

async fn run(
    mut hub: Hub,
    mut commands: mpsc::Receiver<Command>,
    subscriptions: Subscriptions,
    metrics: Metrics,
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
                // Asked every time: the answer comes once the subscription is live. A socket
                // kicked meanwhile subscribes nothing (its `subscribed` just drops).
                if hub.join(conn, room).is_some() {
                    subscriptions.subscribe(room, Some(subscribed));
                }
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
            Command::Deliver { frames } => hub.deliver_many(&frames),
            Command::UsersAdded { users, room, frame } => {
                let mut gained = Vec::new();
                for user in users {
                    gained.extend(hub.add_user(user, room).gained);
                }
                let delivered = hub.deliver(room, &frame);
                gained.dedup();
                Interest {
                    gained,
                    lost: delivered.lost,
                }
            }
            Command::UserRemoved { user, room, frame } => hub.remove_user(user, room, &frame),
            Command::ToUsers { users, frame } => hub.deliver_to_users(&users, &frame),
            Command::KickUser { user, reason } => hub.kick_user(user, reason),
            Command::Seen { room, seq } => {
                hub.seen(room, seq);
                Interest::default()
            }
            Command::Seqs { reply } => {
                let _ = reply.send(hub.seqs());
                Interest::default()
            }
            Command::Memberships { reply } => {
                let _ = reply.send(hub.memberships());
                Interest::default()
            }
        };
        let counts = hub.take_counts();
        metrics.sockets_open.set(gauge_value(counts.sockets));
        metrics.rooms_joined.set(gauge_value(counts.joined));
        metrics.frames_delivered.inc_by(counts.delivered);
        metrics.slow_readers_dropped.inc_by(counts.dropped);
        for room in interest.gained {
            subscriptions.subscribe(room, None);
        }
        for room in interest.lost {
            subscriptions.unsubscribe(room);
        }
    }
}

fn gauge_value(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}
