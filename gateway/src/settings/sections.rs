//! The sections of the settings: `[ws]`, `[limits]`, `[storage]`, `[mail]` and `[write]` in a
//! TOML file. Each refuses a key it does not know, so a misspelt or moved one stops the start.
use super::values::{Burst, Secret, Switch, UploadTtl};
use serde::Deserialize;
use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

/// `[ws]`: each WebSocket's queue, heartbeat, limits and frame budgets (`CHAT_WS_*`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsSection {
    pub queue: NonZeroUsize,
    pub ping_interval_ms: NonZeroU64,
    pub idle_timeout_ms: u64,
    pub write_timeout_ms: NonZeroU64,
    pub max_frame_bytes: usize,
    pub sends_per_sec: f64,
    pub send_burst: Burst,
    pub joins_per_sec: f64,
    pub join_burst: Burst,
    pub other_frames_per_sec: f64,
    pub other_frame_burst: Burst,
    pub max_sockets_per_user: NonZeroUsize,
    pub max_rooms_per_socket: NonZeroUsize,
    pub max_sends_in_flight: NonZeroUsize,
    pub catch_up_ms: u64,
}

/// `[limits]`: request-rate limits (`CHAT_RATE_LIMITS`, `CHAT_LIMIT_*`) and the security limits
/// that always hold (captcha interval, login failures, wrong reset codes).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    pub rate_limits: Switch,
    pub register: String,
    pub login: String,
    pub captcha: String,
    pub friend_request: String,
    pub send: String,
    pub presign: String,
    pub room_create: String,
    pub captcha_interval_secs: u64,
    pub login_failures_per_account_address: u64,
    pub login_failures_per_account: u64,
    pub login_failures_per_address: u64,
    pub login_failure_window_secs: u64,
    pub reset_wrong_tries_per_day: u64,
}

/// `[storage]`: where avatars and attachments live (a folder or S3), their sizes, URL lifetimes,
/// the quota and the sweep of unused uploads.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSection {
    /// `CHAT_STORAGE_DIR`.
    pub dir: Option<PathBuf>,
    pub s3_endpoint: Option<String>,
    pub s3_public_endpoint: Option<String>,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key: Option<Secret>,
    pub s3_secret_key: Option<Secret>,
    pub avatar_max_bytes: u64,
    pub attachment_max_bytes: u64,
    pub upload_url_ttl_secs: UploadTtl,
    pub download_url_ttl_secs: NonZeroU32,
    pub upload_quota_bytes: u64,
    pub upload_sweep_secs: u64,
    pub upload_grace_secs: u64,
}

/// `[mail]`: how captcha mails leave (`CHAT_SMTP_URL`) and whom they are from (`CHAT_MAIL_FROM`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSection {
    pub smtp_url: Option<Secret>,
    pub from: String,
}

/// `[write]`: the message write pipeline (`CHAT_WRITE_*`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteSection {
    pub writers: NonZeroUsize,
    pub queue: NonZeroUsize,
    pub batch_max: NonZeroUsize,
}

/// The WebSocket settings a connection needs, in their working units.
#[derive(Clone, Debug)]
pub struct WsSettings {
    pub queue: usize,
    /// Sends of one socket waiting for their commit; past it the socket's frames wait.
    pub max_sends_in_flight: usize,
    pub ping_interval: Duration,
    pub idle_timeout: Duration,
    pub write_timeout: Duration,
    pub max_frame_bytes: usize,
    /// Per socket: `(per second, burst)` of sends, of joins (each may replay history), and of
    /// every other frame (read markers, leaves, pings). A rate of 0 is unlimited.
    pub sends: (f64, f64),
    pub joins: (f64, f64),
    pub other_frames: (f64, f64),
    pub max_sockets_per_user: usize,
    pub max_rooms_per_socket: usize,
}

impl From<&WsSection> for WsSettings {
    fn from(ws: &WsSection) -> Self {
        Self {
            queue: ws.queue.get(),
            max_sends_in_flight: ws.max_sends_in_flight.get(),
            ping_interval: Duration::from_millis(ws.ping_interval_ms.get()),
            idle_timeout: Duration::from_millis(ws.idle_timeout_ms),
            write_timeout: Duration::from_millis(ws.write_timeout_ms.get()),
            max_frame_bytes: ws.max_frame_bytes,
            sends: (ws.sends_per_sec, ws.send_burst.0),
            joins: (ws.joins_per_sec, ws.join_burst.0),
            other_frames: (ws.other_frames_per_sec, ws.other_frame_burst.0),
            max_sockets_per_user: ws.max_sockets_per_user.get(),
            max_rooms_per_socket: ws.max_rooms_per_socket.get(),
        }
    }
}
