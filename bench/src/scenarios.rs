//! The three load scenarios. Every loop is bounded; every wait has a deadline.
use crate::client::{self, Api, Sink, Stream, User};
use crate::server::{Error, Gateway};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

pub struct Idle {
    pub sockets: usize,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
}

/// Opens `count` sockets and holds them: the server's memory per idle socket.
pub async fn idle(gateway: &Gateway, users: &[User], count: usize) -> Result<Idle, Error> {
    let rss_before_kib = gateway.rss_kib()?;
    let mut sockets = Vec::with_capacity(count);
    for batch in (0..count).collect::<Vec<_>>().chunks(100) {
        let opens = batch
            .iter()
            .map(|n| client::connect(gateway.port, &users[n % users.len()].token));
        for socket in futures_util::future::join_all(opens).await {
            sockets.push(socket?);
        }
    }
    // Every upgrade has been answered: each connection task exists on the server.
    let rss_after_kib = gateway.rss_kib()?;
    drop(sockets);
    Ok(Idle {
        sockets: count,
        rss_before_kib,
        rss_after_kib,
    })
}

/// Delivery figures of one scenario.
pub struct Flow {
    pub sent: u64,
    pub expected: u64,
    pub delivered: u64,
    pub seconds: f64,
    pub latencies_us: Vec<u64>,
}

struct Clock {
    epoch: Instant,
    delivered: AtomicU64,
    last_delivery_us: AtomicU64,
}

impl Clock {
    fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// Reads `message` frames, recording each one's latency from the send stamp in its content.
async fn read(mut stream: Stream, clock: Arc<Clock>, mut stop: watch::Receiver<bool>) -> Vec<u64> {
    let mut latencies = Vec::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Some(sent) = stamp(&text) {
                        let now = clock.now_us();
                        latencies.push(now.saturating_sub(sent));
                        clock.delivered.fetch_add(1, Ordering::Relaxed);
                        clock.last_delivery_us.fetch_max(now, Ordering::Relaxed);
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            }
        }
    }
    latencies
}

/// The microsecond stamp `t:<us>` in a message frame's content.
fn stamp(text: &str) -> Option<u64> {
    let rest = text.split("\"content\":\"t:").nth(1)?;
    rest.split('"').next()?.parse().ok()
}

/// Sockets of `members` joined to their rooms, their readers started; the sinks returned.
async fn connect_all(
    gateway: &Gateway,
    members: &[(User, Vec<i64>)],
    clock: &Arc<Clock>,
    stop: &watch::Receiver<bool>,
) -> Result<(Vec<Sink>, Vec<tokio::task::JoinHandle<Vec<u64>>>), Error> {
    let mut sinks = Vec::new();
    let mut readers = Vec::new();
    for (user, rooms) in members {
        let mut socket = client::connect(gateway.port, &user.token).await?;
        client::join(&mut socket, rooms).await?;
        let (sink, stream) = socket.split();
        sinks.push(sink);
        readers.push(tokio::spawn(read(stream, clock.clone(), stop.clone())));
    }
    Ok((sinks, readers))
}

/// Sends at `rate` messages per second in all for `seconds`, from `senders` (a sink and the
/// rooms it writes to, round robin), then waits for `fan_out` deliveries of each message.
async fn run_flow(
    name: &str,
    gateway: &Gateway,
    members: &[(User, Vec<i64>)],
    senders: usize,
    rate: u64,
    seconds: u64,
    fan_out: u64,
) -> Result<Flow, Error> {
    let clock = Arc::new(Clock {
        epoch: Instant::now(),
        delivered: AtomicU64::new(0),
        last_delivery_us: AtomicU64::new(0),
    });
    let (stop_tx, stop) = watch::channel(false);
    let (sinks, readers) = connect_all(gateway, members, &clock, &stop).await?;
    let per_sender = (rate * seconds) / senders as u64;
    let period = Duration::from_secs_f64(senders as f64 / rate as f64);
    let start_us = clock.now_us();
    let mut tasks = Vec::new();
    for (index, mut sink) in sinks.into_iter().enumerate().take(senders) {
        let (rooms, clock) = (members[index].1.clone(), clock.clone());
        let prefix = format!("{name}{index}");
        // Senders start spread over one period, so the load is even rather than in bursts.
        let offset = period.mul_f64(index as f64 / senders as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            let mut tick = tokio::time::interval(period);
            for n in 0..per_sender {
                tick.tick().await;
                let room = rooms[n as usize % rooms.len()];
                let content = format!("t:{}", clock.now_us());
                if sink
                    .send(client::send_frame(room, &format!("{prefix}-{n}"), &content))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            sink
        }));
    }
    let mut sinks = Vec::new();
    for task in tasks {
        sinks.push(task.await?);
    }
    let sent = per_sender * senders as u64;
    let expected = sent * fan_out;
    let deadline = Instant::now() + Duration::from_secs(30);
    while clock.delivered.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop_tx.send(true);
    let mut latencies_us = Vec::new();
    for reader in readers {
        latencies_us.extend(reader.await?);
    }
    drop(sinks);
    let end_us = clock
        .last_delivery_us
        .load(Ordering::Relaxed)
        .max(start_us + 1);
    Ok(Flow {
        sent,
        expected,
        delivered: clock.delivered.load(Ordering::Relaxed),
        seconds: (end_us - start_us) as f64 / 1e6,
        latencies_us,
    })
}

/// One room of everyone in `users` (the first is the owner, friends with all), five senders.
pub async fn fan_out(
    gateway: &Gateway,
    api: &Api,
    users: &[User],
    rate: u64,
    seconds: u64,
) -> Result<Flow, Error> {
    let ids: Vec<i64> = users[1..].iter().map(|u| u.id).collect();
    let room = api.group(&users[0], &ids).await?;
    let members: Vec<(User, Vec<i64>)> = users.iter().map(|u| (u.clone(), vec![room])).collect();
    run_flow(
        "fan",
        gateway,
        &members,
        5,
        rate,
        seconds,
        users.len() as u64,
    )
    .await
}

/// `rooms` rooms of four: room j is created by user j (mod n) with the next three users.
pub async fn rooms_of_four(
    gateway: &Gateway,
    api: &Api,
    users: &[User],
    rooms: usize,
    rate: u64,
    seconds: u64,
) -> Result<Flow, Error> {
    let n = users.len();
    let mut membership: Vec<Vec<i64>> = vec![Vec::new(); n];
    for j in 0..rooms {
        let creator = j % n;
        let others: Vec<usize> = (1..4).map(|k| (creator + k) % n).collect();
        let ids: Vec<i64> = others.iter().map(|o| users[*o].id).collect();
        let room = api.group(&users[creator], &ids).await?;
        for member in std::iter::once(creator).chain(others) {
            membership[member].push(room);
        }
    }
    let members: Vec<(User, Vec<i64>)> = users.iter().cloned().zip(membership).collect();
    // Client ids unique per run: a repeated one would be answered with the first message.
    let name = format!("four{rate}r");
    run_flow(&name, gateway, &members, n, rate, seconds, 4).await
}

/// Makes user i friends with users i+1..i+3 (mod n), skipping pairs already made.
pub async fn ring_friends(api: &Api, users: &[User], skip_first: bool) -> Result<(), Error> {
    let n = users.len();
    for i in 0..n {
        for k in 1..4 {
            let j = (i + k) % n;
            if skip_first && (i == 0 || j == 0) {
                continue;
            }
            api.befriend(&users[i], &users[j]).await?;
        }
    }
    Ok(())
}

pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}
