//! The write pipeline through real sockets: pipelined senders on one or two gateways, acks that
//! mean stored (even across a SIGKILL), and a sender that stops reading.
use crate::helpers::*;
use crate::ws::{group, write_masked_text};
use crate::ws_client::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Sends `count` messages from one socket, all in flight at once; the acks, in order. Where the
/// socket is in the room, each of its own messages must come after its ack.
async fn burst(socket: &mut Socket, room: i64, tag: &str, count: usize) -> Vec<Value> {
    for n in 0..count {
        socket
            .send_text(room, &format!("{tag}-{n}"), &format!("{tag}:{n}"))
            .await;
    }
    let mut acks = Vec::new();
    let mut acked = std::collections::HashSet::new();
    while acks.len() < count {
        let frame = socket.next().await;
        let data = &frame["data"];
        match frame["event"].as_str() {
            Some("ack") => {
                acked.insert(data["clientId"].as_str().unwrap().to_owned());
                acks.push(data.clone());
            }
            Some("message") => {
                let client_id = data["message"]["clientId"].as_str().unwrap_or_default();
                if client_id.starts_with(&format!("{tag}-")) {
                    assert!(acked.contains(client_id), "{client_id} came before its ack");
                }
            }
            _ => panic!("unexpected frame {frame}"),
        }
    }
    acks
}

#[tokio::test]
async fn pipelined_senders_on_every_gateway_get_gapless_seqs_in_one_order_for_all() {
    let first = spawn_app().await;
    // Two gateways where they can share a bus (Redis), else the one.
    let second = match std::env::var_os("TEST_REDIS_URL") {
        Some(_) => Some(first.peer().await),
        None => None,
    };
    let gateways: Vec<&TestApp> = std::iter::once(&first).chain(second.as_ref()).collect();
    let (people, room) = group(&first, 3).await;
    let mut readers = Vec::new();
    for (n, person) in people.iter().enumerate() {
        let mut socket = gateways[n % gateways.len()].socket(&person.token).await;
        socket.join(room, None).await;
        readers.push(socket);
    }
    let mut senders = Vec::new();
    for (n, person) in people.iter().enumerate() {
        let mut socket = gateways[n % gateways.len()].socket(&person.token).await;
        socket.join(room, None).await;
        senders.push(socket);
    }
    let per_sender = 40;
    let sends = senders
        .iter_mut()
        .enumerate()
        .map(|(n, socket)| async move { burst(socket, room, &format!("s{n}"), per_sender).await });
    let acks = futures_util::future::join_all(sends).await;
    for (n, acks) in acks.iter().enumerate() {
        let seqs: Vec<i64> = acks.iter().map(|a| a["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "sender {n}: {seqs:?}");
        let ids: Vec<&str> = acks
            .iter()
            .map(|a| a["clientId"].as_str().unwrap())
            .collect();
        let expected: Vec<String> = (0..per_sender).map(|k| format!("s{n}-{k}")).collect();
        assert_eq!(ids, expected, "acks in the order sent");
    }
    let total = per_sender * people.len();
    let mut all: Vec<i64> = acks
        .iter()
        .flatten()
        .map(|a| a["seq"].as_i64().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (1..=total as i64).collect::<Vec<_>>(), "gapless");

    let stored = stored_order(&first, &people[0], room, total).await;
    for reader in &mut readers {
        let mut seen = Vec::new();
        while seen.len() < total {
            let message = reader.message().await;
            seen.push((message["seq"].as_i64().unwrap(), message["content"].clone()));
        }
        assert_eq!(seen, stored, "every socket sees the history's order");
    }
}

/// The whole history, oldest first, as (seq, content).
async fn stored_order(
    app: &TestApp,
    who: &Registered,
    room: i64,
    total: usize,
) -> Vec<(i64, Value)> {
    let mut stored = Vec::new();
    while stored.len() < total {
        let after = stored.len();
        let page: Value = app
            .get(
                &format!("/chatroom/{room}/messages?afterSeq={after}&limit=100"),
                Some(&who.token),
            )
            .await
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty(), "history ends early at {after}");
        for item in items {
            stored.push((item["seq"].as_i64().unwrap(), item["content"].clone()));
        }
    }
    stored
}

#[tokio::test]
async fn every_acked_message_survives_a_sigkill_right_after_the_acks() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let mut gateway = GatewayProcess::start(&app).await;
    let mut socket = socket_at(gateway.port, &people[0].token).await;
    let acks = burst(&mut socket, room, "k", 200).await;
    gateway.kill().await;

    let history = stored_order(&app, &people[1], room, acks.len()).await;
    let stored: HashMap<i64, Value> = history.into_iter().collect();
    for ack in &acks {
        let seq = ack["seq"].as_i64().unwrap();
        let n = ack["clientId"].as_str().unwrap().trim_start_matches("k-");
        assert_eq!(stored.get(&seq), Some(&json!(format!("k:{n}"))), "{ack}");
    }
}

/// Our gateway binary as a process of its own, on the test app's database and token secret.
struct GatewayProcess {
    child: tokio::process::Child,
    port: u16,
    _data: tempfile::TempDir,
}

impl GatewayProcess {
    async fn start(app: &TestApp) -> Self {
        let data = tempfile::tempdir().expect("a data dir");
        let settings = app.peer_env(data.path());
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
            .env_clear()
            .envs(settings)
            .env("CHAT_PORT", "0")
            .env("CHAT_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the gateway binary starts");
        let stdout = child.stdout.take().expect("its stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let line = tokio::time::timeout(WAIT, lines.next_line())
                .await
                .expect("the gateway says where it listens")
                .expect("its log")
                .expect("a line before it ends");
            if let Some((_, rest)) = line.split_once("listening on http://127.0.0.1:") {
                break rest.trim().parse::<u16>().expect("a port");
            }
        };
        // The rest of its log is drained so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            port,
            _data: data,
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing after the acks already received.
    async fn kill(&mut self) {
        self.child.kill().await.expect("SIGKILL");
    }
}

#[tokio::test]
async fn a_sender_that_stops_reading_does_not_hold_up_its_messages() {
    // Writes to the silent sender wait longer than any test waits for a frame.
    let app = spawn_app_with(|f| {
        f.merge(("ws.write_timeout_ms", 60_000))
            .merge(("ws.queue", 4096))
    })
    .await;
    let (people, room) = group(&app, 1).await;
    let mut reader = app.socket(&people[1].token).await;
    reader.join(room, None).await;
    let mut silent = app.silent_socket(&people[0].token, Some(4096)).await;
    let join = json!({"event": "joinRoom", "data": {"chatroomId": room}}).to_string();
    write_masked_text(&mut silent, join.as_bytes()).await;
    // Its own acks and echoes (2 KB each) fill its buffers long before the last of these.
    let count = 40;
    let mut frames = Vec::new();
    for n in 0..count {
        let data = json!({"chatroomId": room, "clientId": format!("q{n}"),
            "message": {"type": "text", "content": format!("{n}:{}", "x".repeat(2000))}});
        frames.push(json!({"event": "sendMessage", "data": data}).to_string());
    }
    for frame in &frames {
        write_masked_text(&mut silent, frame.as_bytes()).await;
    }
    for n in 0..count {
        let message = reader.message().await;
        assert_eq!(message["seq"], n + 1);
        let content = message["content"].as_str().unwrap();
        assert!(content.starts_with(&format!("{n}:")), "{content}");
    }
}
