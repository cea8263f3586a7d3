//! What the HTTP routes and sockets publish after a change is stored.
use crate::state::AppState;
use crate::ws::bus::BusEvent;
use crate::ws::protocol::{RoomEvent, ServerFrame};
use chat::ChatMessage;
use user::UserId;

impl AppState {
    /// A newly stored message, to every socket in its room (the sender's included).
    pub async fn publish_message(&self, message: ChatMessage) {
        let (room, seq, user_id) = (message.chatroom_id, message.seq, message.sender.id);
        let text = ServerFrame::Message(RoomEvent::SendMessage { user_id, message }).to_text();
        self.metrics.messages_posted.inc();
        self.bus
            .publish(BusEvent::Frame {
                room,
                seq: Some(seq),
                text,
                sent_ms: Some(user::time::now().timestamp_millis()),
            })
            .await;
    }

    /// `users` were added to a room (by an invitation, or as it was created): their open
    /// sockets join it, and the room is told once, `{type: "joinRoom", userId}` naming `who`.
    pub async fn publish_members_added(&self, room: i64, users: &[UserId], who: UserId) {
        let event = RoomEvent::JoinRoom {
            user_id: who.0,
            chatroom_id: room,
        };
        let text = ServerFrame::Message(event).to_text();
        self.bus
            .publish(BusEvent::MembersAdded {
                room,
                users: users.iter().map(|user| user.0).collect(),
                text,
            })
            .await;
    }

    /// Someone left a room: their open sockets get `left` and stop receiving it.
    pub async fn publish_member_left(&self, room: i64, user: UserId) {
        let text = ServerFrame::Left { chatroom_id: room }.to_text();
        self.bus
            .publish(BusEvent::MemberRemoved {
                room,
                user: user.0,
                text,
            })
            .await;
    }
}
