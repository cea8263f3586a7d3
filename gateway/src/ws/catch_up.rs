//! The catch-up: every few seconds (and at once when the bus subscription comes back) this
//! gateway compares the newest seq its sockets have in each room with the room's seq in the
//! database, one statement for all its rooms, and delivers what is missing from the database.
//! A message whose publish failed, or whose gateway died between its commit and its publish,
//! so reaches the sockets of a quiet room too; sockets skip what they already have (by seq).
//!
//! The same round takes sockets out of rooms their user has left when the "member left" event
//! was lost: it checks every (user, room) with a local socket against the memberships.
//!
//! A round compares the hub with the seqs the previous round read: a message committed then has
//! had a whole interval to arrive through the bus, so one still in flight is never mistaken for
//! a lost one. After a bus reconnect the comparison is with the database as it is now: what was
//! published while the subscription was down is known to be lost.
use crate::ws::hub_task::HubHandle;
use crate::ws::protocol::ServerFrame;
use crate::ws::publish::live_frame;
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Most messages one room gets from one round; a socket further behind fills the rest itself
/// (or is asked to rejoin with `afterSeq`).
const PER_ROOM: u64 = 100;

/// Runs the catch-up every `every` until `shutdown`; `every` of zero turns the timer off (the
/// wake-up after a bus reconnect still runs it).
pub fn start(hub: HubHandle, db: DatabaseConnection, every: Duration, shutdown: CancellationToken) {
    let wake = hub.catch_up_signal();
    let rounds = async move {
        let mut rounds = (!every.is_zero()).then(|| tokio::time::interval(every));
        let mut previous: HashMap<i64, i64> = HashMap::new();
        loop {
            let woken = match rounds.as_mut() {
                Some(rounds) => tokio::select! {
                    _ = rounds.tick() => false,
                    () = wake.notified() => true,
                },
                None => {
                    wake.notified().await;
                    true
                }
            };
            match round(&hub, &db, &previous, woken).await {
                Ok(stored) => previous = stored,
                Err(err) => tracing::warn!(%err, "catch-up round failed; the next one tries again"),
            }
            if let Err(err) = drop_departed(&hub, &db).await {
                tracing::warn!(%err, "membership check failed; the next round tries again");
            }
        }
    };
    tokio::spawn(async move { shutdown.run_until_cancelled(rounds).await });
}

/// Delivers what the hub lacks, and returns the rooms' seqs for the next round.
async fn round(
    hub: &HubHandle,
    db: &DatabaseConnection,
    previous: &HashMap<i64, i64>,
    woken: bool,
) -> Result<HashMap<i64, i64>, DbErr> {
    let seen = hub.seqs().await;
    if seen.is_empty() {
        return Ok(HashMap::new());
    }
    let rooms: Vec<i64> = seen.iter().map(|(room, _)| *room).collect();
    let stored = chatroom::room_seqs(db, &rooms).await?;
    let settled = if woken { &stored } else { previous };
    let mut frames = Vec::new();
    for (room, seen) in seen {
        if settled.get(&room).is_some_and(|newest| *newest > seen) {
            let missed = chat::messages_after(db, room, seen, PER_ROOM).await?;
            tracing::info!(
                room,
                count = missed.len(),
                "caught up messages the bus did not bring"
            );
            frames.extend(missed.into_iter().map(live_frame));
        }
    }
    hub.deliver_many(frames).await;
    Ok(stored)
}

/// Takes each socket out of the rooms its user is no longer in, as the "member left" event
/// would have (the user's sockets get `left`).
async fn drop_departed(hub: &HubHandle, db: &DatabaseConnection) -> Result<(), DbErr> {
    let pairs = hub.memberships().await;
    for chunk in pairs.chunks(1000) {
        let members = chatroom::members_among(db, chunk).await?;
        for (user, room) in chunk.iter().filter(|pair| !members.contains_key(pair)) {
            tracing::info!(
                room,
                user_id = user.get(),
                "a socket outlived its user's membership"
            );
            let left = ServerFrame::Left { chatroom_id: *room }.to_text();
            hub.user_removed(*user, *room, left.into()).await;
        }
    }
    Ok(())
}
