//! Frames: JSON text `{"event": "<name>", "data": {...}}`, typed both ways. See docs/ws-protocol.md.
use crate::error_code::ErrorCode;
use ::chatroom::Seq;
use chat::{ChatMessage, MessageKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a client may send.
#[derive(Debug, PartialEq)]
pub enum ClientFrame {
    JoinRoom {
        chatroom_id: i64,
        after_seq: Option<Seq>,
    },
    LeaveRoom {
        chatroom_id: i64,
    },
    SendMessage {
        chatroom_id: i64,
        client_id: String,
        kind: MessageKind,
        content: String,
    },
    Read {
        chatroom_id: i64,
        seq: Seq,
    },
    Ping,
}

/// Why a frame could not be understood: the `error` frame to answer with.
#[derive(Debug, PartialEq)]
pub struct BadFrame {
    pub code: ErrorCode,
    pub message: String,
    pub chatroom_id: Option<i64>,
    pub client_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    data: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JoinData {
    chatroom_id: i64,
    after_seq: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomData {
    chatroom_id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendData {
    chatroom_id: i64,
    client_id: String,
    message: OutgoingMessage,
}

#[derive(Deserialize)]
struct OutgoingMessage {
    #[serde(rename = "type")]
    kind: MessageKind,
    content: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadData {
    chatroom_id: i64,
    seq: i64,
}

impl ClientFrame {
    pub fn parse(text: &str) -> Result<Self, BadFrame> {
        let envelope: Envelope = serde_json::from_str(text).map_err(|e| BadFrame {
            code: ErrorCode::InvalidFrame,
            message: format!("not a frame: {e}"),
            chatroom_id: None,
            client_id: None,
        })?;
        // Name what we can of the frame in the error, so the client can match it up.
        let room = envelope.data.get("chatroomId").and_then(Value::as_i64);
        let client = envelope
            .data
            .get("clientId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let data = envelope.data;
        let invalid = |e: serde_json::Error| BadFrame {
            code: ErrorCode::InvalidFrame,
            message: format!("bad data for {}: {e}", envelope.event),
            chatroom_id: room,
            client_id: client.clone(),
        };
        match envelope.event.as_str() {
            "joinRoom" => {
                let d: JoinData = serde_json::from_value(data).map_err(invalid)?;
                let after_seq =
                    d.after_seq
                        .map(Seq::parse)
                        .transpose()
                        .map_err(|message| BadFrame {
                            code: ErrorCode::ValidationFailed,
                            message: format!("afterSeq {message}"),
                            chatroom_id: room,
                            client_id: None,
                        })?;
                Ok(ClientFrame::JoinRoom {
                    chatroom_id: d.chatroom_id,
                    after_seq,
                })
            }
            "leaveRoom" => {
                let d: RoomData = serde_json::from_value(data).map_err(invalid)?;
                Ok(ClientFrame::LeaveRoom {
                    chatroom_id: d.chatroom_id,
                })
            }
            "sendMessage" => {
                let d: SendData = serde_json::from_value(data).map_err(invalid)?;
                Ok(ClientFrame::SendMessage {
                    chatroom_id: d.chatroom_id,
                    client_id: d.client_id,
                    kind: d.message.kind,
                    content: d.message.content,
                })
            }
            "read" => {
                let d: ReadData = serde_json::from_value(data).map_err(invalid)?;
                let seq = Seq::parse(d.seq).map_err(|message| BadFrame {
                    code: ErrorCode::ValidationFailed,
                    message: format!("seq {message}"),
                    chatroom_id: room,
                    client_id: None,
                })?;
                Ok(ClientFrame::Read {
                    chatroom_id: d.chatroom_id,
                    seq,
                })
            }
            "ping" => Ok(ClientFrame::Ping),
            other => Err(BadFrame {
                code: ErrorCode::UnknownEvent,
                message: format!("unknown event {other:?}"),
                chatroom_id: room,
                client_id: client,
            }),
        }
    }
}

/// What the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum ServerFrame {
    #[serde(rename_all = "camelCase")]
    Joined {
        chatroom_id: i64,
        last_seq: i64,
    },
    #[serde(rename_all = "camelCase")]
    Left {
        chatroom_id: i64,
    },
    #[serde(rename_all = "camelCase")]
    Ack {
        client_id: String,
        chatroom_id: i64,
        id: i64,
        seq: i64,
    },
    Message(RoomEvent),
    /// API.md §7: to the addressee, when a request arrives.
    FriendRequest {
        request: friend_request::FriendRequestView,
    },
    /// API.md §7: to both people, when they become friends; `friend` is the other one.
    FriendAdded {
        friend: user::UserSummary,
    },
    /// API.md §7: to both people, when the friendship ends; `userId` is the other one.
    #[serde(rename_all = "camelCase")]
    FriendRemoved {
        user_id: i64,
    },
    Pong {},
    #[serde(rename_all = "camelCase")]
    Error {
        code: ErrorCode,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        chatroom_id: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}

/// The `message` event, with the original design's names for its two kinds.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum RoomEvent {
    #[serde(rename_all = "camelCase")]
    SendMessage { user_id: i64, message: ChatMessage },
    #[serde(rename_all = "camelCase")]
    JoinRoom { user_id: i64, chatroom_id: i64 },
    /// API.md §7: to the remaining members, when a member leaves a group.
    #[serde(rename_all = "camelCase")]
    ExitRoom { user_id: i64, chatroom_id: i64 },
}

impl ServerFrame {
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            code,
            message: message.into(),
            chatroom_id: None,
            client_id: None,
        }
    }

    pub fn to_text(&self) -> String {
        // Serialising these plain types cannot fail; an empty frame would only be a no-op.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl From<BadFrame> for ServerFrame {
    fn from(bad: BadFrame) -> Self {
        ServerFrame::Error {
            code: bad.code,
            message: bad.message,
            chatroom_id: bad.chatroom_id,
            client_id: bad.client_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_client_event() {
        let join =
            ClientFrame::parse(r#"{"event":"joinRoom","data":{"chatroomId":3,"afterSeq":7}}"#);
        assert_eq!(
            join,
            Ok(ClientFrame::JoinRoom {
                chatroom_id: 3,
                after_seq: Some(Seq::new(7))
            })
        );
        let send = ClientFrame::parse(
            r#"{"event":"sendMessage","data":{"chatroomId":3,"clientId":"c1","message":{"type":"text","content":"hi"}}}"#,
        );
        assert_eq!(
            send,
            Ok(ClientFrame::SendMessage {
                chatroom_id: 3,
                client_id: "c1".into(),
                kind: MessageKind::Text,
                content: "hi".into()
            })
        );
        assert_eq!(
            ClientFrame::parse(r#"{"event":"ping"}"#),
            Ok(ClientFrame::Ping)
        );
        assert_eq!(
            ClientFrame::parse(r#"{"event":"read","data":{"chatroomId":1,"seq":2}}"#),
            Ok(ClientFrame::Read {
                chatroom_id: 1,
                seq: Seq::parse(2).unwrap()
            })
        );
    }

    #[test]
    fn bad_frames_name_what_they_can() {
        let bad = ClientFrame::parse(
            r#"{"event":"sendMessage","data":{"chatroomId":3,"clientId":"c9"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            (bad.code.as_str(), bad.chatroom_id, bad.client_id.as_deref()),
            ("invalid_frame", Some(3), Some("c9"))
        );
        assert_eq!(
            ClientFrame::parse("nope").unwrap_err().code.as_str(),
            "invalid_frame"
        );
        assert_eq!(
            ClientFrame::parse(r#"{"event":"dance"}"#)
                .unwrap_err()
                .code
                .as_str(),
            "unknown_event"
        );
    }

    #[test]
    fn server_frames_have_the_documented_shape() {
        let ack = ServerFrame::Ack {
            client_id: "c".into(),
            chatroom_id: 1,
            id: 5,
            seq: 2,
        };
        assert_eq!(
            ack.to_text(),
            r#"{"event":"ack","data":{"clientId":"c","chatroomId":1,"id":5,"seq":2}}"#
        );
        let join = ServerFrame::Message(RoomEvent::JoinRoom {
            user_id: 4,
            chatroom_id: 1,
        });
        assert_eq!(
            join.to_text(),
            r#"{"event":"message","data":{"type":"joinRoom","userId":4,"chatroomId":1}}"#
        );
        assert_eq!(
            ServerFrame::Pong {}.to_text(),
            r#"{"event":"pong","data":{}}"#
        );
    }
}

#[cfg(test)]
#[path = "protocol_fuzz.rs"]
mod fuzz;
