//! A WebSocket test client that waits for frames with a deadline (never sleeps).
use crate::helpers::TestApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(10);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// A socket to the gateway listening on `port`.
pub async fn socket_at(port: u16, token: &str) -> Socket {
    let url = format!("ws://127.0.0.1:{port}/chat?token={token}");
    let (stream, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    Socket { stream }
}

impl TestApp {
    pub async fn socket(&self, token: &str) -> Socket {
        socket_at(self.port, token).await
    }

    /// The HTTP status of an upgrade attempt that is refused.
    pub async fn refused_upgrade(&self, query: &str) -> u16 {
        let url = format!("ws://127.0.0.1:{}/chat{query}", self.port);
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                response.status().as_u16()
            }
            other => panic!("expected a refused upgrade, got {:?}", other.map(|_| ())),
        }
    }

    /// A bare TCP WebSocket that completes the handshake and then neither reads nor answers.
    pub async fn silent_socket(&self, token: &str, recv_buffer: Option<u32>) -> TcpStream {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).unwrap();
        }
        let addr = format!("127.0.0.1:{}", self.port).parse().unwrap();
        let mut tcp = socket.connect(addr).await.unwrap();
        let request = format!(
            "GET /chat?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            tcp.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        tcp
    }
}

/// Reads a bare socket until the server closes it; the bytes it had sent.
pub async fn read_until_closed(tcp: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let read = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match tcp.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(WAIT, read)
        .await
        .expect("the server should close the socket");
    all
}

impl Socket {
    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, text: String) {
        self.stream.send(Message::text(text)).await.unwrap();
    }

    /// The next JSON frame (pings are answered by the client library on the way).
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame in time")
                .expect("socket open")
                .expect("frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Close(frame) => panic!("closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame, which must be `event`; returns its data.
    pub async fn expect(&mut self, event: &str) -> Value {
        let frame = self.next().await;
        assert_eq!(frame["event"], event, "{frame}");
        frame["data"].clone()
    }

    /// The close code the server ends with.
    pub async fn closed_with(&mut self) -> u16 {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("closed in time");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => return frame.code.into(),
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return 0,
                Some(Ok(_)) => continue,
            }
        }
    }

    pub async fn join(&mut self, room: i64, after: Option<i64>) -> Value {
        let mut data = json!({"chatroomId": room});
        if let Some(after) = after {
            data["afterSeq"] = json!(after);
        }
        self.send(json!({"event": "joinRoom", "data": data})).await;
        self.expect("joined").await
    }

    /// Sends a text message without waiting for the answer.
    pub async fn send_text(&mut self, room: i64, client_id: &str, text: &str) {
        let data = json!({"chatroomId": room, "clientId": client_id,
            "message": {"type": "text", "content": text}});
        self.send(json!({"event": "sendMessage", "data": data}))
            .await;
    }

    /// Sends a text message and returns the ack.
    pub async fn say(&mut self, room: i64, client_id: &str, text: &str) -> Value {
        self.send_text(room, client_id, text).await;
        self.expect("ack").await
    }

    /// The next `message` frame of kind `sendMessage`; returns the ChatMessage.
    pub async fn message(&mut self) -> Value {
        let data = self.expect("message").await;
        assert_eq!(data["type"], "sendMessage", "{data}");
        data["message"].clone()
    }
}
