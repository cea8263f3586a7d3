//! The HTTP calls that set up a scenario, and WebSocket connections.
use crate::server::{Error, Gateway};
use futures_util::StreamExt;
use futures_util::stream::{SplitSink, SplitStream};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type Sink = SplitSink<Socket, Message>;
pub type Stream = SplitStream<Socket>;

#[derive(Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub token: String,
}

pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(port: u16) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Result<Value, Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status();
        let value: Value = response.json().await?;
        if status.is_success() {
            Ok(value)
        } else {
            Err(format!("{path}: {status} {value}").into())
        }
    }

    pub async fn register(&self, gateway: &Gateway, username: &str) -> Result<User, Error> {
        let email = format!("{username}@bench.example");
        self.call(
            reqwest::Method::GET,
            &format!("/user/register-captcha?address={email}"),
            None,
            json!({}),
        )
        .await?;
        let captcha = gateway.code_for(&email).await?;
        let body = json!({"username": username, "nickName": username, "password": "bench-pw",
            "email": email, "captcha": captcha});
        let profile = self
            .call(reqwest::Method::POST, "/user/register", None, body)
            .await?;
        let login = json!({"username": username, "password": "bench-pw"});
        let logged_in = self
            .call(reqwest::Method::POST, "/user/login", None, login)
            .await?;
        Ok(User {
            id: profile["id"].as_i64().ok_or("no id")?,
            username: username.to_owned(),
            token: logged_in["token"].as_str().ok_or("no token")?.to_owned(),
        })
    }

    pub async fn befriend(&self, a: &User, b: &User) -> Result<(), Error> {
        let request = self
            .call(
                reqwest::Method::POST,
                "/friendship/add",
                Some(&a.token),
                json!({"username": b.username}),
            )
            .await?;
        let id = request["id"].as_i64().ok_or("no request id")?;
        self.call(
            reqwest::Method::POST,
            &format!("/friend_request/agree/{id}"),
            Some(&b.token),
            json!({}),
        )
        .await?;
        Ok(())
    }

    pub async fn group(&self, owner: &User, members: &[i64]) -> Result<i64, Error> {
        let body = json!({"name": "bench", "memberIds": members});
        let room = self
            .call(
                reqwest::Method::POST,
                "/chatroom/create-group",
                Some(&owner.token),
                body,
            )
            .await?;
        room["id"].as_i64().ok_or_else(|| "no room id".into())
    }
}

pub async fn connect(port: u16, token: &str) -> Result<Socket, Error> {
    let url = format!("ws://127.0.0.1:{port}/chat?token={token}");
    let (socket, _) = tokio_tungstenite::connect_async(url).await?;
    Ok(socket)
}

/// Joins rooms and waits for every `joined`.
pub async fn join(socket: &mut Socket, rooms: &[i64]) -> Result<(), Error> {
    use futures_util::SinkExt;
    for room in rooms {
        let frame = json!({"event": "joinRoom", "data": {"chatroomId": room}});
        socket.send(Message::text(frame.to_string())).await?;
    }
    let mut joined = 0;
    while joined < rooms.len() {
        match socket.next().await {
            Some(Ok(Message::Text(text))) if text.contains("\"joined\"") => joined += 1,
            Some(Ok(_)) => {}
            _ => return Err("socket closed while joining".into()),
        }
    }
    Ok(())
}

pub fn send_frame(room: i64, client_id: &str, content: &str) -> Message {
    let data = json!({"chatroomId": room, "clientId": client_id,
        "message": {"type": "text", "content": content}});
    Message::text(json!({"event": "sendMessage", "data": data}).to_string())
}
