//! Starts the real application and talks to it over HTTP.
use adapters::mail::Outbox;
use figment::Figment;
use gateway::settings::Settings;
use gateway::startup::{Application, Overrides, StopHandle};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Once};
use tempfile::TempDir;
use test_support::{TestDb, fresh_db, unique};

pub const PASSWORD: &str = "secret-pw";

pub struct TestApp {
    pub base: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub stop: StopHandle,
    db: Arc<TestDb>,
    data: TempDir,
    /// The settings it started with, for starting a peer gateway.
    figment: Figment,
    /// Where the mail goes, shared with its peers; `None` when it goes to the SMTP sink.
    outbox: Option<Arc<Outbox>>,
}

pub struct Registered {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub token: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|figment| figment).await
}

/// Starts an app; `customise` may override any setting.
pub async fn spawn_app_with(customise: impl FnOnce(Figment) -> Figment) -> TestApp {
    capture_logs();
    let db = Arc::new(fresh_db().await.expect("test database"));
    let mut figment = Settings::figment()
        .merge(("port", 0))
        .merge(("database_url", db.url.clone()))
        .merge(("bcrypt_cost", 4))
        .merge(("limits.rate_limits", "off"))
        .merge(("redis_prefix", unique("test:")));
    if let Ok(url) = std::env::var("TEST_REDIS_URL") {
        figment = figment.merge(("redis_url", url));
    }
    if let Ok(url) = std::env::var("TEST_SMTP_URL") {
        figment = figment.merge(("mail.smtp_url", url));
    }
    if let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") {
        figment = figment
            .merge(("storage.s3_endpoint", endpoint))
            .merge(("storage.s3_bucket", "chat-test"))
            .merge((
                "storage.s3_access_key",
                std::env::var("TEST_S3_ACCESS_KEY").unwrap(),
            ))
            .merge((
                "storage.s3_secret_key",
                std::env::var("TEST_S3_SECRET_KEY").unwrap(),
            ));
    }
    let outbox = std::env::var("TEST_SMTP_URL")
        .is_err()
        .then(|| Arc::new(Outbox::default()));
    start(customise(figment), db, outbox).await
}

async fn start(figment: Figment, db: Arc<TestDb>, outbox: Option<Arc<Outbox>>) -> TestApp {
    let data = tempfile::tempdir().expect("data dir");
    let settings: Settings = figment
        .clone()
        .merge(("data_dir", data.path()))
        .extract()
        .expect("test settings");
    let overrides = Overrides {
        mailer: outbox.clone().map(|outbox| outbox as Arc<dyn user::Mailer>),
    };
    let app = Application::build_with(settings, overrides)
        .await
        .expect("application starts");
    let port = app.port();
    let stop = app.stop_handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        stop,
        db,
        data,
        figment,
        outbox,
    }
}

impl TestApp {
    /// Another gateway sharing this one's database, Redis (with the same key prefix) and token
    /// secret: the multi-gateway deployment in one process.
    pub async fn peer(&self) -> TestApp {
        let mut figment = self.figment.clone();
        // A generated secret lives in the first gateway's data directory.
        if let Ok(secret) = std::fs::read_to_string(self.data_dir().join("jwt_secret")) {
            figment = figment.merge(("jwt_secret", secret.trim().to_owned()));
        }
        start(figment, self.db.clone(), self.outbox.clone()).await
    }

    /// The settings, as `CHAT_*` variables, of a gateway process that shares this one's
    /// database, bus and token secret, keeping its files in `data_dir`.
    pub fn peer_env(&self, data_dir: &std::path::Path) -> Vec<(String, String)> {
        let mut env = vec![
            ("CHAT_DATABASE_URL", self.db.url.clone()),
            ("CHAT_DATA_DIR", data_dir.display().to_string()),
            ("CHAT_RATE_LIMITS", "off".to_owned()),
            ("CHAT_BCRYPT_COST", "4".to_owned()),
        ];
        if let Ok(secret) = std::fs::read_to_string(self.data_dir().join("jwt_secret")) {
            env.push(("CHAT_JWT_SECRET", secret.trim().to_owned()));
        }
        if let Ok(url) = std::env::var("TEST_REDIS_URL") {
            let prefix: String = self.figment.extract_inner("redis_prefix").unwrap();
            env.push(("CHAT_REDIS_URL", url));
            env.push(("CHAT_REDIS_PREFIX", prefix));
        }
        env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// The database this gateway uses, for stating what a test cannot do through the API.
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.db.conn
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Asks for a register code and reads it from the mail.
    pub async fn register_code(&self, email: &str) -> String {
        let response = self
            .get(&format!("/user/register-captcha?address={email}"), None)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
        self.mailed_code(email)
    }

    /// Asks for a password-reset code and reads it from the mail, which the server sends in the
    /// background after answering: waits for a mail to that address newer than the request.
    pub async fn reset_code(&self, email: &str) -> String {
        let before = self.mails_to(email);
        let response = self
            .get(
                &format!("/user/update_password/captcha?address={email}"),
                None,
            )
            .await;
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"sent": true})
        );
        if let Some(outbox) = &self.outbox {
            let mail = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                outbox.nth_to(email, before + 1),
            )
            .await
            .unwrap_or_else(|_| panic!("no reset mail to {email}"));
            return code_in(&mail.body);
        }
        // The SMTP sink is another process: its maildir is looked at until the mail is there.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.mails_to(email) == before {
            assert!(
                std::time::Instant::now() < deadline,
                "no reset mail to {email}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.mailed_code(email)
    }

    /// Resets `user`'s password through the mailed code, which revokes their tokens.
    pub async fn reset_password(&self, user: &Registered, password: &str) {
        let code = self.reset_code(&user.email).await;
        let body = json!({"username": user.username, "email": user.email, "password": password,
            "captcha": code});
        let reset = self.post("/user/update_password", None, &body).await;
        assert_eq!(reset.status(), StatusCode::OK);
    }

    /// Registers and logs in a new user whose name starts with `prefix`.
    pub async fn register(&self, prefix: &str) -> Registered {
        let username = unique(prefix);
        let email = format!("{}@example.com", username.to_lowercase());
        let code = self.register_code(&email).await;
        let body = json!({"username": username, "nickName": format!("Nick {username}"),
            "password": PASSWORD, "email": email, "captcha": code});
        let response = self.post("/user/register", None, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let profile: Value = response.json().await.unwrap();
        let token = self.login(&username, PASSWORD).await;
        Registered {
            id: profile["id"].as_i64().unwrap(),
            username,
            email,
            token,
        }
    }

    /// Makes two registered users friends through request and agree.
    pub async fn befriend(&self, a: &Registered, b: &Registered) {
        let body = json!({"username": b.username});
        let request: Value = self
            .post("/friendship/add", Some(&a.token), &body)
            .await
            .json()
            .await
            .unwrap();
        let id = request["id"].as_i64().unwrap();
        let agreed = self
            .post(
                &format!("/friend_request/agree/{id}"),
                Some(&b.token),
                &json!({}),
            )
            .await;
        assert_eq!(agreed.status(), StatusCode::OK);
    }

    /// The newest page of a room's history, as `who` sees it.
    pub async fn history(&self, who: &Registered, room: i64) -> Value {
        let response = self
            .get(&format!("/chatroom/{room}/messages"), Some(&who.token))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = json!({"username": username, "password": password});
        let response = self.post("/user/login", None, &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

/// Creates (or finds) the direct room of `me` and `friend`: the status and the room.
pub async fn direct(app: &TestApp, me: &Registered, friend: &Registered) -> (StatusCode, Value) {
    let body = json!({"friendId": friend.id});
    let response = app
        .post("/chatroom/create-one-to-one", Some(&me.token), &body)
        .await;
    (response.status(), response.json().await.unwrap())
}

/// Creates a group of `owner` and `members` (the owner's friends); returns its id.
pub async fn create_group(app: &TestApp, owner: &Registered, name: &str, members: &[i64]) -> i64 {
    let body = json!({"name": name, "memberIds": members});
    let response = app
        .post("/chatroom/create-group", Some(&owner.token), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let room: Value = response.json().await.unwrap();
    room["id"].as_i64().unwrap()
}

/// Sends a text message over HTTP; returns the stored message.
pub async fn send(
    app: &TestApp,
    who: &Registered,
    room: i64,
    client_id: &str,
    text: &str,
) -> Value {
    let response = post_text(app, who, room, client_id, text).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// POSTs a text message over HTTP, whatever the answer.
pub async fn post_text(
    app: &TestApp,
    who: &Registered,
    room: i64,
    client_id: &str,
    text: &str,
) -> Response {
    let body = json!({"clientId": client_id, "type": "text", "content": text});
    app.post(
        &format!("/chatroom/{room}/messages"),
        Some(&who.token),
        &body,
    )
    .await
}

/// GETs `path` as `who`, expecting 200.
pub async fn get_json(app: &TestApp, who: &Registered, path: &str) -> Value {
    let response = app.get(path, Some(&who.token)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// The error of an application that must refuse to start with these settings (on top of the
/// compiled-in defaults, port 0 and a fresh data directory).
pub async fn refused_start(customise: impl FnOnce(Figment) -> Figment) -> String {
    let data = tempfile::tempdir().unwrap();
    let figment = Settings::figment()
        .merge(("port", 0))
        .merge(("data_dir", data.path()));
    let settings: Settings = customise(figment).extract().unwrap();
    let err = Application::build(settings).await.err().expect("refused");
    err.to_string()
}

/// Asserts the API's error shape and returns the body.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// The fields named in a validation error, in order.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

// ---- mail: from the SMTP sink's maildir in the real-services run, else from the outbox ----

/// TEST_LOG=<filter> shows the gateway's own log lines, for debugging a test.
fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_test_writer()
                .init();
        }
    });
}

/// The newest message to `address` in the sink's maildir (`TEST_MAILDIR`).
pub fn maildir_message(address: &str) -> Option<String> {
    let dir = std::env::var("TEST_MAILDIR").ok()?;
    let needle = format!("To: {}", address.trim().to_lowercase());
    let entries = std::fs::read_dir(std::path::Path::new(&dir).join("new")).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            let text = std::fs::read_to_string(entry.path()).ok()?;
            text.contains(&needle).then_some((modified, text))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, text)| text)
}

impl TestApp {
    /// The mail this gateway sent, when it is not going to the SMTP sink.
    pub fn outbox(&self) -> Option<&Outbox> {
        self.outbox.as_deref()
    }

    /// How many mails `address` has had, in the outbox or the sink's maildir.
    pub fn mails_to(&self, address: &str) -> usize {
        if let Some(outbox) = &self.outbox {
            return outbox.count_to(address);
        }
        let needle = format!("To: {}", address.trim().to_lowercase());
        let Ok(dir) = std::env::var("TEST_MAILDIR") else {
            return 0;
        };
        std::fs::read_dir(std::path::Path::new(&dir).join("new"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                    .filter(|text| text.contains(&needle))
                    .count()
            })
            .unwrap_or(0)
    }

    /// The six-digit code of the newest mail to `address`.
    pub fn mailed_code(&self, address: &str) -> String {
        if let Some(outbox) = &self.outbox {
            return code_in(&outbox.newest_to(address).expect("mail in the outbox").body);
        }
        let message = maildir_message(address).expect("mail in the sink");
        let (_, body) = message
            .split_once("\n\n")
            .or_else(|| message.split_once("\r\n\r\n"))
            .unwrap();
        code_in(body)
    }
}

/// The six-digit run in a mail's body.
fn code_in(body: &str) -> String {
    body.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .expect("a six-digit code")
        .to_owned()
}

impl TestApp {
    /// The value of a counter or gauge at `/metrics` (0 when it is not there yet).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics", None).await.text().await.unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0.0)
    }
}
