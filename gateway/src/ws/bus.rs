//! Fan-out across gateways. Persist, then publish, then deliver: a message is in the database
//! before it is published, and local sockets receive it only from the bus, so every socket sees
//! one order and nothing twice. With Redis, each room is a channel that this gateway subscribes
//! to while it has a socket in the room, and membership changes go over one shared channel;
//! without Redis (the embedded default) publishing hands the event straight to the hub.
use crate::metrics::Metrics;
use crate::ws::hub::{Delivery, LiveFrame};
use crate::ws::hub_task::HubHandle;
use crate::ws::subscriptions::{Subscriptions, WantedRooms};
use bytestring::ByteString;
use deadpool_redis::redis;
use futures_util::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use user::UserId;

/// What travels between gateways.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BusEvent {
    /// A frame for every socket in the room.
    Frame {
        room: i64,
        seq: Option<i64>,
        text: String,
        /// When it was published (Unix ms), for the bus lag figure.
        #[serde(default)]
        sent_ms: Option<i64>,
    },
    /// `users` were added to `room`: their sockets join it, then the room gets `text` once.
    MembersAdded {
        room: i64,
        users: Vec<i64>,
        text: String,
    },
    /// `user` left `room`: their sockets get `text` and leave it.
    MemberRemoved { room: i64, user: i64, text: String },
    /// `user`'s tokens were revoked: every gateway closes their sockets.
    Revoked { user: i64 },
    /// A frame for every socket of `users`, whatever rooms they follow (API.md §7).
    ToUsers { users: Vec<i64>, text: String },
}

impl BusEvent {
    fn room(&self) -> Option<i64> {
        match self {
            BusEvent::Frame { room, .. }
            | BusEvent::MembersAdded { room, .. }
            | BusEvent::MemberRemoved { room, .. } => Some(*room),
            BusEvent::Revoked { .. } | BusEvent::ToUsers { .. } => None,
        }
    }
}

/// Hands events that reached this gateway to its hub: runs of room frames in one command.
async fn dispatch(hub: &HubHandle, events: impl IntoIterator<Item = BusEvent>) {
    let mut frames = Vec::new();
    for event in events {
        match event {
            BusEvent::Frame {
                room, seq, text, ..
            } => {
                let delivery = match seq {
                    Some(seq) => Delivery::Message { room, seq },
                    None => Delivery::Notice { room },
                };
                frames.push(LiveFrame::shared(delivery, ByteString::from(text)));
            }
            BusEvent::MembersAdded { room, users, text } => {
                hub.deliver_many(std::mem::take(&mut frames)).await;
                let users = users.into_iter().map(UserId::new).collect();
                hub.users_added(users, room, ByteString::from(text)).await;
            }
            BusEvent::MemberRemoved { room, user, text } => {
                hub.deliver_many(std::mem::take(&mut frames)).await;
                hub.user_removed(UserId::new(user), room, ByteString::from(text))
                    .await;
            }
            BusEvent::Revoked { user } => {
                hub.deliver_many(std::mem::take(&mut frames)).await;
                hub.user_revoked(UserId::new(user)).await;
            }
            BusEvent::ToUsers { users, text } => {
                hub.deliver_many(std::mem::take(&mut frames)).await;
                let users = users.into_iter().map(UserId::new).collect();
                hub.deliver_to_users(users, ByteString::from(text)).await;
            }
        }
    }
    hub.deliver_many(frames).await;
}

/// Publishes events; cheap to clone.
#[derive(Clone)]
pub enum Bus {
    Local(HubHandle),
    Redis {
        pool: deadpool_redis::Pool,
        prefix: String,
    },
}

impl Bus {
    /// The embedded default: one process, events go straight to the hub.
    pub fn start_local(metrics: Metrics, shutdown: CancellationToken) -> (Bus, HubHandle) {
        metrics.bus_connected.set(1);
        let hub = HubHandle::start(Subscriptions::local(), metrics, shutdown);
        (Bus::Local(hub.clone()), hub)
    }

    /// Several gateways: Redis pub/sub with a dedicated subscriber connection.
    pub fn start_redis(
        client: redis::Client,
        pool: deadpool_redis::Pool,
        prefix: &str,
        metrics: Metrics,
        shutdown: CancellationToken,
    ) -> (Bus, HubHandle) {
        let (subscriptions, wanted) = Subscriptions::redis();
        let hub = HubHandle::start(subscriptions, metrics.clone(), shutdown.clone());
        let subscriber = run_subscriber(client, prefix.to_owned(), wanted, hub.clone(), metrics);
        tokio::spawn(async move { shutdown.run_until_cancelled(subscriber).await });
        (
            Bus::Redis {
                pool,
                prefix: prefix.to_owned(),
            },
            hub,
        )
    }

    /// Publishes after the change is stored. A failure is logged, not returned: the data is
    /// safe and clients catch up by seq when they rejoin.
    pub async fn publish(&self, event: BusEvent) {
        self.publish_many(vec![event]).await;
    }

    /// Publishes events in order, all in one round trip to Redis.
    pub async fn publish_many(&self, events: Vec<BusEvent>) {
        match self {
            Bus::Local(hub) => dispatch(hub, events).await,
            Bus::Redis { pool, prefix } => {
                if let Err(err) = publish_redis(pool, prefix, &events).await {
                    let rooms: Vec<i64> = events.iter().filter_map(BusEvent::room).collect();
                    tracing::warn!(?rooms, %err, "publish failed; clients catch up by seq");
                }
            }
        }
    }
}

/// How long a batch's publishes may take before they are given up (clients catch up by seq).
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);

async fn publish_redis(
    pool: &deadpool_redis::Pool,
    prefix: &str,
    events: &[BusEvent],
) -> Result<(), String> {
    if events.is_empty() {
        return Ok(());
    }
    let mut pipe = redis::pipe();
    for event in events {
        let channel = match event {
            BusEvent::Frame { room, .. } => room_channel(prefix, *room),
            _ => members_channel(prefix),
        };
        let payload = serde_json::to_string(event).map_err(|e| e.to_string())?;
        pipe.publish(channel, payload).ignore();
    }
    // Only getting a connection is retried: a PUBLISH whose answer was lost may have gone out,
    // and sending it again would deliver the message twice.
    let mut delay = Duration::from_millis(50);
    let mut conn = loop {
        match pool.get().await {
            Ok(conn) => break conn,
            Err(err) if delay > Duration::from_millis(800) => return Err(err.to_string()),
            Err(_) => {
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
        }
    };
    // Bounded: a hung Redis must not hold the write pipeline (it waits for its publishes).
    match tokio::time::timeout(PUBLISH_TIMEOUT, pipe.query_async::<()>(&mut conn)).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("no answer from Redis in time".to_owned()),
    }
}

fn room_channel(prefix: &str, room: i64) -> String {
    format!("{prefix}room:{room}")
}

fn members_channel(prefix: &str) -> String {
    format!("{prefix}members")
}

/// Owns the subscriber connection: follows the rooms the hub wants, hands incoming events to
/// the hub, and reconnects with backoff (subscribing to everything wanted by then).
async fn run_subscriber(
    client: redis::Client,
    prefix: String,
    wanted: WantedRooms,
    hub: HubHandle,
    metrics: Metrics,
) {
    let mut backoff = Duration::from_millis(100);
    let mut connected_before = false;
    // Joins waiting for a subscription: told only once one succeeded, so a connection that
    // fails hands them on to the next.
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        match client.get_async_pubsub().await {
            Ok(pubsub) => {
                let (mut sink, mut stream) = pubsub.split();
                let (mut rooms, joins) = wanted.take_all();
                waiting.extend(joins);
                let mut channels = vec![members_channel(&prefix)];
                channels.extend(rooms.iter().map(|room| room_channel(&prefix, *room)));
                if sink.subscribe(&channels).await.is_ok() {
                    tell(&mut waiting);
                    backoff = Duration::from_millis(100);
                    // Whatever was published while the subscription was down did not reach the
                    // local sockets: the catch-up reads it from the database now; they stay open.
                    if connected_before {
                        hub.resync_all();
                        metrics.bus_reconnects.inc();
                    }
                    connected_before = true;
                    metrics.bus_connected.set(1);
                    loop {
                        tokio::select! {
                            () = wanted.changed() => {
                                let changes = wanted.take_changes();
                                waiting.extend(changes.waiting);
                                if follow(&mut sink, &prefix, &mut rooms, changes.rooms).await.is_err() {
                                    break;
                                }
                                tell(&mut waiting);
                            }
                            message = stream.next() => {
                                let Some(message) = message else { break };
                                // Whatever else has already arrived goes to the hub with it.
                                let mut events = Vec::new();
                                let mut next = Some(message);
                                while let Some(message) = next {
                                    match serde_json::from_slice::<BusEvent>(message.get_payload_bytes()) {
                                        Ok(event) => {
                                            record_lag(&metrics, &event);
                                            events.push(event);
                                        }
                                        Err(err) => tracing::warn!(%err, "unreadable bus event"),
                                    }
                                    next = stream.next().now_or_never().flatten();
                                }
                                dispatch(&hub, events).await;
                            }
                        }
                    }
                }
                metrics.bus_connected.set(0);
                tracing::warn!("lost the Redis subscription; reconnecting");
            }
            Err(err) => tracing::warn!(%err, "cannot reach Redis for pub/sub; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Joins waiting for a subscription: it is live.
fn tell(waiting: &mut Vec<oneshot::Sender<()>>) {
    for done in waiting.drain(..) {
        let _ = done.send(());
    }
}

fn record_lag(metrics: &Metrics, event: &BusEvent) {
    if let BusEvent::Frame {
        sent_ms: Some(sent),
        ..
    } = event
    {
        let lag_ms = (user::time::now().timestamp_millis() - sent).max(0);
        metrics.bus_lag_seconds.observe(lag_ms as f64 / 1000.0);
    }
}

/// Subscribes to the rooms now wanted and leaves the others. A failure ends the connection;
/// the next one subscribes to everything wanted then.
async fn follow(
    sink: &mut redis::aio::PubSubSink,
    prefix: &str,
    rooms: &mut HashSet<i64>,
    changes: Vec<(i64, bool)>,
) -> redis::RedisResult<()> {
    for (room, wanted) in changes {
        if wanted && rooms.insert(room) {
            sink.subscribe(room_channel(prefix, room)).await?;
        } else if !wanted && rooms.remove(&room) {
            sink.unsubscribe(room_channel(prefix, room)).await?;
        }
    }
    Ok(())
}
