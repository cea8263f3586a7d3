//! What is published after a change is stored: messages from the write pipeline (`Publisher`),
//! membership changes from the HTTP routes.
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::ws::bus::{Bus, BusEvent};
use crate::ws::hub::{Delivery, LiveFrame, Outbound};
use crate::ws::protocol::{RoomEvent, ServerFrame};
use async_trait::async_trait;
use bytestring::ByteString;
use chat::ChatMessage;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use user::UserId;

/// Batches that committed and wait to be published: a few, so that a stalled broker slows the
/// writers down rather than piling up memory.
const WAITING_BATCHES: usize = 64;

/// The write pipeline's way out: one task publishes every committed batch, in commit order,
/// each message serialized once for all its recipients, a batch in one round trip to Redis.
pub struct Publisher {
    /// Each batch, and whether its messages are new (else published again for a repeat).
    batches: mpsc::Sender<(Vec<ChatMessage>, bool)>,
    metrics: Metrics,
}

impl Publisher {
    /// The publisher, and its task: that ends once every `Publisher` is gone (the writers
    /// hold them) and what they handed over is published.
    pub fn start(bus: Bus, metrics: Metrics) -> (Self, JoinHandle<()>) {
        let (batches, mut waiting) = mpsc::channel(WAITING_BATCHES);
        let counted = metrics.clone();
        let task = tokio::spawn(async move {
            let mut taken: Vec<(Vec<ChatMessage>, bool)> = Vec::new();
            while waiting.recv_many(&mut taken, WAITING_BATCHES).await > 0 {
                let new: usize = taken
                    .iter()
                    .filter(|(_, new)| *new)
                    .map(|(m, _)| m.len())
                    .sum();
                metrics.messages_posted.inc_by(new as u64);
                let events: Vec<BusEvent> = taken
                    .drain(..)
                    .flat_map(|(messages, _)| messages)
                    .map(message_event)
                    .collect();
                bus.publish_many(events).await;
            }
        });
        let publisher = Self {
            batches,
            metrics: counted,
        };
        (publisher, task)
    }
}

#[async_trait]
impl chat::Stored for Publisher {
    async fn stored(&self, messages: Vec<ChatMessage>) {
        self.metrics
            .write_batch_messages
            .observe(messages.len() as f64);
        // Fails only once the publishing task is gone, at shutdown.
        let _ = self.batches.send((messages, true)).await;
    }

    async fn repeated(&self, messages: Vec<ChatMessage>) {
        let _ = self.batches.send((messages, false)).await;
    }
}

/// A stored message as every socket in its room gets it: `(room, seq, frame text)`.
fn message_frame(message: ChatMessage) -> (i64, i64, String) {
    let (room, seq, user_id) = (message.chatroom_id, message.seq, message.sender.id);
    let text = ServerFrame::Message(RoomEvent::SendMessage { user_id, message }).to_text();
    (room, seq, text)
}

/// A stored message for this gateway's own sockets only (the catch-up).
pub fn live_frame(message: ChatMessage) -> Outbound {
    let (room, seq, text) = message_frame(message);
    LiveFrame::shared(Delivery::Message { room, seq }, ByteString::from(text))
}

/// A newly stored message, for every socket in its room (the sender's included).
fn message_event(message: ChatMessage) -> BusEvent {
    let (room, seq, text) = message_frame(message);
    BusEvent::Frame {
        room,
        seq: Some(seq),
        text,
        sent_ms: Some(user::time::now().timestamp_millis()),
    }
}

impl AppState {
    /// `users` were added to a room (by an invitation, or as it was created): their open
    /// sockets join it, and the room is told once, `{type: "joinRoom", userId}` naming `who`.
    pub async fn publish_members_added(&self, room: i64, users: &[UserId], who: UserId) {
        let event = RoomEvent::JoinRoom {
            user_id: who.get(),
            chatroom_id: room,
        };
        let text = ServerFrame::Message(event).to_text();
        self.bus
            .publish(BusEvent::MembersAdded {
                room,
                users: users.iter().map(|user| user.get()).collect(),
                text,
            })
            .await;
    }

    /// Someone left a room: their open sockets get `left` and stop receiving it, and the
    /// remaining members' sockets get `message {type: "exitRoom"}` (API.md §7).
    pub async fn publish_member_left(&self, room: i64, user: UserId) {
        let left = ServerFrame::Left { chatroom_id: room }.to_text();
        let exit = RoomEvent::ExitRoom {
            user_id: user.get(),
            chatroom_id: room,
        };
        let events = vec![
            BusEvent::MemberRemoved {
                room,
                user: user.get(),
                text: left,
            },
            BusEvent::Frame {
                room,
                seq: None,
                text: ServerFrame::Message(exit).to_text(),
                sent_ms: None,
            },
        ];
        self.bus.publish_many(events).await;
    }

    /// A frame for every open socket of `users`, on every gateway (API.md §7 events).
    pub async fn publish_to_users(&self, users: &[UserId], frame: &ServerFrame) {
        let event = BusEvent::ToUsers {
            users: users.iter().map(|user| user.get()).collect(),
            text: frame.to_text(),
        };
        self.bus.publish(event).await;
    }

    /// Two people became friends: each is told about the other.
    pub async fn publish_friends_added(&self, a: &user::UserSummary, b: &user::UserSummary) {
        for (to, friend) in [(a, b), (b, a)] {
            let frame = ServerFrame::FriendAdded {
                friend: friend.clone(),
            };
            self.publish_to_users(&[UserId::new(to.id)], &frame).await;
        }
    }
}
