//! One WebSocket connection: authenticated before the upgrade, then one `select!` loop over the
//! client's frames, the socket's queue from the hub, a kick from the hub, shutdown and the
//! heartbeat. After the loop the socket always leaves the hub.
use crate::auth::{AuthUser, authenticate, bearer_token};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use crate::ws::budget::FrameBudgets;
use crate::ws::hub::{Delivery, Kick, Outbound};
use crate::ws::protocol::{ClientFrame, RoomEvent, ServerFrame};
use ::chatroom::{RoomId, Seq};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Closed, ProtocolError, Session};
use chat::{ClientId, MessageBody, MessageKind, Outgoing};
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Most messages a `joinRoom` replays; older ones come over HTTP.
const MAX_REPLAY: u64 = 500;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// `GET /chat?token=...` (or `Authorization: Bearer`): a bad token is an HTTP 401, no socket.
pub async fn chat_socket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = match query.into_inner().token {
        Some(token) => token,
        None => bearer_token(&req)?.ok_or_else(ApiError::unauthenticated)?,
    };
    let user = authenticate(&state, &token).await?;
    let max = state.ws.max_sockets_per_user;
    let permit = state
        .user_sockets
        .acquire(user.id.get(), max)
        .ok_or_else(|| {
            ApiError::too_many(
                ErrorCode::TooManySockets,
                &format!("At most {max} open sockets per user; close one first"),
                5,
            )
        })?;
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|err| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            ErrorCode::NotAWebsocket,
            format!("Upgrade to a WebSocket here: {err}"),
        )
    })?;
    let limit = state.ws.max_frame_bytes;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    // Boxed: an async fn keeps its arguments and its locals apart, so a connection moved in by
    // value would take room twice in every idle socket's task (once per nested future).
    let connection = Box::new(Connection::new(state.into_inner(), user, session, stream));
    let task = async move {
        connection.run().await;
        drop(permit);
    };
    actix_web::rt::spawn(task);
    Ok(response)
}

/// The close code of a socket whose token stopped being valid (expired, or revoked by a
/// password reset): the client needs a new token before it reconnects (docs/ws-protocol.md).
pub const TOKEN_ENDED: u16 = 4001;

fn token_ended(description: &str) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(TOKEN_ENDED),
        description: Some(description.to_owned()),
    }
}

/// How long until a token that expires at `expires_at` (Unix seconds) has expired.
fn until_expiry(expires_at: i64) -> std::time::Duration {
    let left = expires_at.saturating_sub(chrono::Utc::now().timestamp());
    std::time::Duration::from_secs(u64::try_from(left).unwrap_or(0))
}

/// Most queued frames written in one go before the loop looks at anything else.
const WRITE_BURST: usize = 64;

/// Sends waiting for their commit, each resolving to the frame that answers it (`ack` or
/// `error`). They come out as their batches commit: in send order within a room (one writer
/// stores a room's messages in the order queued), and an ack always before the sender's own
/// copy of the message (the writer answers before it publishes, and the loop below takes
/// answers before queued frames).
type PendingSends = FuturesUnordered<BoxFuture<'static, ServerFrame>>;

struct Connection {
    state: Arc<AppState>,
    user: AuthUser,
    session: Session,
    stream: actix_ws::AggregatedMessageStream,
    id: u64,
    /// Per joined room, the seq up to which this socket already has everything (joined's
    /// `lastSeq`, or the replay's end): live frames at or below it are skipped. `None` for a
    /// room the server put this socket in (its user was added): followed from the next message.
    joined: HashMap<i64, Option<i64>>,
    /// Rooms whose `joinRoom` was refused after the hub had already been asked: messages that
    /// were queued for them meanwhile are dropped (a membership event lifts this).
    refused: HashSet<i64>,
    budgets: FrameBudgets,
    /// Sends in the write pipeline; created with the first one.
    pending: Option<PendingSends>,
}

impl Connection {
    fn new(
        state: Arc<AppState>,
        user: AuthUser,
        session: Session,
        stream: actix_ws::AggregatedMessageStream,
    ) -> Self {
        let ws = &state.ws;
        let budgets =
            FrameBudgets::new(ws.sends, ws.joins, ws.other_frames, state.limits.enabled());
        let id = state.hub.next_conn_id();
        Self {
            state,
            user,
            session,
            stream,
            id,
            joined: HashMap::new(),
            refused: HashSet::new(),
            budgets,
            pending: None,
        }
    }

    async fn run(mut self: Box<Self>) {
        let (queue_tx, mut queue) = mpsc::channel::<Outbound>(self.state.ws.queue);
        let (kick_tx, mut kicked) = oneshot::channel::<Kick>();
        self.state
            .hub
            .connect(self.id, self.user.id, queue_tx, kick_tx)
            .await;
        // A password reset that committed after the upgrade's check, but was announced before
        // the hub knew this socket, would have missed it: the token is checked once more now.
        let version = self.state.users.token_version(self.user.id).await;
        let still_valid = matches!(version, Ok(Some(v)) if v == self.user.token_version);
        let shutdown = self.state.shutdown.clone();
        let mut heartbeat = tokio::time::interval(self.state.ws.ping_interval);
        let mut last_heard = Instant::now();
        let expiry = tokio::time::sleep(until_expiry(self.user.expires_at));
        tokio::pin!(expiry);
        let max_in_flight = self.state.ws.max_sends_in_flight;
        // The handlers of a delivery and of a client frame are boxed: their state would
        // otherwise be part of every idle socket's task (1.2 KiB of its 2.4 KiB, measured).
        let close = loop {
            if !still_valid {
                break Some(token_ended("token revoked: log in again"));
            }
            let in_flight = self.pending.as_ref().map_or(0, |p| p.len());
            tokio::select! {
                biased;
                // Before the kick: the hub ends with the same token, which drops every kick.
                () = shutdown.cancelled() => {
                    break Some(CloseReason { code: CloseCode::Away, description: Some("server shutting down".into()) });
                }
                kick = &mut kicked => {
                    let description = match kick {
                        Ok(Kick::SlowReader) => "too slow: rejoin with afterSeq",
                        Ok(Kick::Revoked) => break Some(token_ended("token revoked: log in again")),
                        Err(_) => "dropped by the hub",
                    };
                    break Some(CloseReason { code: CloseCode::Again, description: Some(description.into()) });
                }
                () = &mut expiry => {
                    break Some(token_ended("token expired: reconnect with a fresh token"));
                }
                // Answers before queued frames: see `PendingSends`.
                Some(answer) = next_answer(&mut self.pending), if in_flight > 0 => {
                    if self.send(&answer).await.is_err() { break None }
                }
                frame = queue.recv() => {
                    let Some(frame) = frame else { break None };
                    if Box::pin(self.write_queued(frame, &mut queue)).await.is_err() { break None }
                }
                // At the bound, the client's next frames wait in the socket until acks go out.
                message = self.stream.recv(), if in_flight < max_in_flight => {
                    last_heard = Instant::now();
                    match message {
                        Some(Ok(actix_ws::AggregatedMessage::Text(text))) => {
                            if Box::pin(self.on_text(&text)).await.is_err() { break None }
                        }
                        Some(Ok(actix_ws::AggregatedMessage::Ping(bytes))) => {
                            if self.session.pong(&bytes).await.is_err() { break None }
                        }
                        Some(Ok(actix_ws::AggregatedMessage::Pong(_))) => {}
                        Some(Ok(actix_ws::AggregatedMessage::Binary(_))) => {
                            let error = ServerFrame::error(ErrorCode::InvalidFrame, "frames are JSON text");
                            if self.send(&error).await.is_err() { break None }
                        }
                        Some(Ok(actix_ws::AggregatedMessage::Close(_))) | None => break None,
                        Some(Err(ProtocolError::Overflow)) => {
                            break Some(CloseReason { code: CloseCode::Size, description: Some("frame over ws_max_frame_bytes".into()) });
                        }
                        Some(Err(_)) => break Some(CloseCode::Protocol.into()),
                    }
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > self.state.ws.idle_timeout {
                        break Some(CloseReason { code: CloseCode::Away, description: Some("heartbeat timeout".into()) });
                    }
                    if self.session.ping(b"").await.is_err() { break None }
                }
            }
        };
        self.state.hub.disconnect(self.id).await;
        // Bounded like every write: a peer that reads nothing must not keep this task alive.
        let _ = tokio::time::timeout(self.state.ws.write_timeout, self.session.close(close)).await;
    }

    /// Writes with a deadline: a peer that stops reading cannot hold this socket forever.
    async fn write(&mut self, text: impl Into<bytestring::ByteString>) -> Result<(), Closed> {
        match tokio::time::timeout(self.state.ws.write_timeout, self.session.text(text)).await {
            Ok(result) => result,
            Err(_) => Err(Closed),
        }
    }

    async fn send(&mut self, frame: &ServerFrame) -> Result<(), Closed> {
        self.write(frame.to_text()).await
    }

    /// Writes a frame from the hub and whatever else is already queued behind it.
    async fn write_queued(
        &mut self,
        first: Outbound,
        queue: &mut mpsc::Receiver<Outbound>,
    ) -> Result<(), Closed> {
        self.write_live(first).await?;
        for _ in 1..WRITE_BURST {
            // An answer that became ready during the last write goes first: the frame behind
            // it may be the sender's own message, which must not overtake its ack.
            self.write_ready_answers().await?;
            match queue.try_recv() {
                Ok(frame) => self.write_live(frame).await?,
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Writes the answers to sends that are ready now, without waiting for others.
    async fn write_ready_answers(&mut self) -> Result<(), Closed> {
        loop {
            let ready = self
                .pending
                .as_mut()
                .and_then(|pending| pending.next().now_or_never().flatten());
            match ready {
                Some(answer) => self.send(&answer).await?,
                None => return Ok(()),
            }
        }
    }

    async fn write_live(&mut self, frame: Outbound) -> Result<(), Closed> {
        match frame.delivery {
            Delivery::Personal => {}
            Delivery::Left { room } => {
                self.refused.remove(&room);
                self.joined.remove(&room);
            }
            Delivery::Notice { room } => {
                // A membership event lifts a refusal; a room the server put this socket in is
                // followed from its next message on, and counted like a joined one.
                self.refused.remove(&room);
                self.joined.entry(room).or_insert(None);
            }
            Delivery::Message { room, .. } if self.refused.contains(&room) => return Ok(()),
            Delivery::Message { room, seq } => match self.joined.get(&room).copied() {
                Some(Some(seen)) if seq <= seen => return Ok(()),
                Some(Some(seen)) => {
                    if seq > seen + 1 {
                        // Boxed, like `join`: rare paths stay out of every idle socket's task.
                        Box::pin(self.fill_gap(room, seen, seq)).await?;
                    }
                    self.joined.insert(room, Some(seq));
                }
                Some(None) => {
                    self.joined.insert(room, Some(seq));
                }
                None => {}
            },
        }
        self.write(frame.text.clone()).await
    }

    /// A live message skipped ahead of what this socket has: the ones between were published
    /// late by another gateway, or never (their gateway died between storing and publishing).
    /// They are read from the database and sent first, so the socket sees every seq in order.
    /// When that cannot be done (the database failed, or the gap is over a page), the socket is
    /// closed with 1013 so that its client rejoins with `afterSeq` rather than skip them.
    async fn fill_gap(&mut self, room: i64, seen: i64, next: i64) -> Result<(), Closed> {
        let cursor = chat::HistoryCursor::between(Seq::new(seen), Seq::new(next));
        let history = self
            .state
            .chat
            .history(self.user.id, RoomId::new(room), cursor);
        let missed = match history.await {
            Ok(history) if !history.has_more => history.items,
            Ok(_) => {
                return self
                    .resync("too much was missed: rejoin with afterSeq")
                    .await;
            }
            Err(err) => {
                tracing::warn!(room, %err, "could not fill a gap; asking the client to rejoin");
                return self
                    .resync("messages may have been missed: rejoin with afterSeq")
                    .await;
            }
        };
        self.send_messages(missed).await
    }

    /// Stored messages, in the order given.
    async fn send_messages(&mut self, messages: Vec<chat::ChatMessage>) -> Result<(), Closed> {
        for message in messages {
            self.write_ready_answers().await?;
            let user_id = message.sender.id;
            self.send(&ServerFrame::Message(RoomEvent::SendMessage {
                user_id,
                message,
            }))
            .await?;
        }
        Ok(())
    }

    /// Closes with 1013: the client reconnects and rejoins with `afterSeq`.
    async fn resync(&mut self, why: &'static str) -> Result<(), Closed> {
        let reason = CloseReason {
            code: CloseCode::Again,
            description: Some(why.into()),
        };
        let _ = self.session.clone().close(Some(reason)).await;
        Err(Closed)
    }

    async fn on_text(&mut self, text: &str) -> Result<(), Closed> {
        let frame = ClientFrame::parse(text);
        let (budget, room) = match &frame {
            Ok(ClientFrame::JoinRoom { chatroom_id, .. }) => {
                (&mut self.budgets.joins, Some(*chatroom_id))
            }
            Ok(ClientFrame::LeaveRoom { chatroom_id } | ClientFrame::Read { chatroom_id, .. }) => {
                (&mut self.budgets.others, Some(*chatroom_id))
            }
            Ok(ClientFrame::Ping) => (&mut self.budgets.others, None),
            // Sends take theirs in `send_message` (the refusal names the clientId).
            Ok(ClientFrame::SendMessage { .. }) | Err(_) => (&mut self.budgets.others, None),
        };
        let metered = !matches!(frame, Ok(ClientFrame::SendMessage { .. }));
        if metered && !budget.take() {
            let refused = ServerFrame::Error {
                code: ErrorCode::RateLimited,
                message: "Too many frames; slow down".to_owned(),
                chatroom_id: room,
                client_id: None,
            };
            return self.send(&refused).await;
        }
        match frame {
            Err(bad) => self.send(&bad.into()).await,
            Ok(ClientFrame::Ping) => self.send(&ServerFrame::Pong {}).await,
            Ok(ClientFrame::JoinRoom {
                chatroom_id,
                after_seq,
            }) => Box::pin(self.join(chatroom_id, after_seq)).await,
            Ok(ClientFrame::LeaveRoom { chatroom_id }) => {
                self.joined.remove(&chatroom_id);
                self.state.hub.leave(self.id, chatroom_id).await;
                self.send(&ServerFrame::Left { chatroom_id }).await
            }
            Ok(ClientFrame::Read { chatroom_id, seq }) => {
                let result = self
                    .state
                    .chatrooms
                    .mark_read(self.user.id, RoomId::new(chatroom_id), seq)
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(err) => {
                        self.send(&room_error(ApiError::from(err), chatroom_id, None))
                            .await
                    }
                }
            }
            Ok(ClientFrame::SendMessage {
                chatroom_id,
                client_id,
                kind,
                content,
            }) => {
                self.send_message(chatroom_id, client_id, kind, content)
                    .await
            }
        }
    }

    async fn join(&mut self, room: i64, after: Option<Seq>) -> Result<(), Closed> {
        let max = self.state.ws.max_rooms_per_socket;
        if !self.joined.contains_key(&room) && self.joined.len() >= max {
            let refusal = ApiError::new(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyRooms,
                format!("A socket can follow at most {max} rooms; leave one first"),
            );
            return self.send(&room_error(refusal, room, None)).await;
        }
        // Members only: checked before this gateway subscribes to anything.
        if let Err(err) = self
            .state
            .chat
            .last_seq(self.user.id, RoomId::new(room))
            .await
        {
            return self.send(&room_error(err.into(), room, None)).await;
        }
        // Subscribed first, then read: what is published from now on reaches this socket, and
        // what was stored before is in the replay; the seam is deduplicated by seq.
        let subscribed = self.state.hub.join(self.id, room);
        if tokio::time::timeout(Duration::from_secs(5), subscribed)
            .await
            .is_err()
        {
            tracing::warn!(room, "room subscription is slow; live messages may lag");
        }
        let read = async {
            let last_seq = self
                .state
                .chat
                .last_seq(self.user.id, RoomId::new(room))
                .await?;
            let replay = match after {
                Some(after) => {
                    let chat = &self.state.chat;
                    chat.replay(self.user.id, RoomId::new(room), after, MAX_REPLAY)
                        .await?
                }
                None => Vec::new(),
            };
            Ok::<_, chat::ChatError>((last_seq.get(), replay))
        };
        let (last_seq, replay) = match read.await {
            Ok(read) => read,
            Err(err) => {
                // Not in the room after all (removed meanwhile, or the database failed).
                self.state.hub.leave(self.id, room).await;
                self.refused.insert(room);
                return self.send(&room_error(err.into(), room, None)).await;
            }
        };
        let seen = replay
            .iter()
            .map(|m| m.seq)
            .max()
            .unwrap_or(0)
            .max(last_seq);
        self.joined.insert(room, Some(seen));
        self.state.hub.seen(room, seen).await;
        self.refused.remove(&room);
        self.send(&ServerFrame::Joined {
            chatroom_id: room,
            last_seq,
        })
        .await?;
        self.send_messages(replay).await
    }

    async fn send_message(
        &mut self,
        room: i64,
        client_id: String,
        kind: MessageKind,
        content: String,
    ) -> Result<(), Closed> {
        let answer = self.submit(room, client_id, kind, content);
        self.pending
            .get_or_insert_with(FuturesUnordered::new)
            .push(answer);
        Ok(())
    }

    /// Queues a send in the write pipeline, not awaited: the answer comes back through
    /// `pending` while this socket goes on reading and delivering. The pipeline publishes.
    fn submit(
        &mut self,
        room: i64,
        client_id: String,
        kind: MessageKind,
        content: String,
    ) -> BoxFuture<'static, ServerFrame> {
        let refuse = |code: ErrorCode, message: String, client_id: String| {
            let frame = ServerFrame::Error {
                code,
                message,
                chatroom_id: Some(room),
                client_id: Some(client_id),
            };
            Box::pin(std::future::ready(frame))
        };
        if !self.budgets.sends.take() {
            let slow_down = "Sending too fast; slow down".to_owned();
            return refuse(ErrorCode::RateLimited, slow_down, client_id);
        }
        let parsed = ClientId::parse(&client_id).and_then(|id| {
            MessageBody::parse(kind, &content, &self.state.attachment_prefix())
                .map(|body| (id, body))
        });
        let (id, body) = match parsed {
            Ok(parsed) => parsed,
            Err(message) => return refuse(ErrorCode::ValidationFailed, message, client_id),
        };
        let send = Outgoing {
            sender: self.user.id,
            room,
            client_id: id,
            body,
        };
        let reply = match self.state.sends.try_submit(send) {
            Ok(reply) => reply,
            Err(err) => {
                let frame = room_error(err.into(), room, Some(client_id));
                return Box::pin(std::future::ready(frame));
            }
        };
        Box::pin(async move {
            match chat::answer_of(reply).await {
                Ok(posted) => ServerFrame::Ack {
                    chatroom_id: room,
                    id: posted.message.id,
                    seq: posted.message.seq,
                    client_id,
                },
                Err(err) => room_error(err.into(), room, Some(client_id)),
            }
        })
    }
}

/// The next answer to a send, in order; pending forever when there is none (the caller only
/// asks while some are in flight).
async fn next_answer(pending: &mut Option<PendingSends>) -> Option<ServerFrame> {
    match pending {
        Some(pending) => pending.next().await,
        None => std::future::pending().await,
    }
}

/// An HTTP refusal as an `error` frame, with the same code.
fn room_error(err: ApiError, room: i64, client_id: Option<String>) -> ServerFrame {
    ServerFrame::Error {
        code: err.code(),
        message: err.message().to_owned(),
        chatroom_id: Some(room),
        client_id,
    }
}
