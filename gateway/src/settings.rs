//! Typed settings, layered with figment: the compiled-in base, `configuration/<env>.toml`,
//! `CHAT_CONFIG` (or `./chat.toml`), then `CHAT_*` environment variables.
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

const BASE: &str = include_str!("../../configuration/base.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub env: Environment,
    pub bind: String,
    pub port: u16,
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub cors_origins: String,
    pub log: String,
    pub mail_from: String,
    pub database_url: Option<Secret>,
    pub redis_url: Option<Secret>,
    pub redis_prefix: String,
    pub smtp_url: Option<Secret>,
    pub jwt_secret: Option<Secret>,
    pub token_ttl_secs: u64,
    pub migrate_on_start: bool,
    pub bcrypt_cost: u32,
    pub captcha_interval_secs: u64,
    pub login_failures_per_account_address: u64,
    pub login_failures_per_account: u64,
    pub login_failures_per_address: u64,
    pub reset_wrong_tries_per_day: u64,
    pub login_failure_window_secs: u64,
    pub rate_limits: Switch,
    pub limit_register: String,
    pub limit_login: String,
    pub limit_captcha: String,
    pub limit_friend_request: String,
    pub limit_send: String,
    pub limit_presign: String,
    pub limit_room_create: String,
    pub trusted_proxies: String,
    pub body_limit_bytes: usize,
    pub ws_queue: NonZeroUsize,
    pub ws_ping_interval_ms: NonZeroU64,
    pub ws_idle_timeout_ms: u64,
    pub ws_write_timeout_ms: NonZeroU64,
    pub ws_max_frame_bytes: usize,
    pub ws_sends_per_sec: f64,
    pub ws_send_burst: Burst,
    pub ws_joins_per_sec: f64,
    pub ws_join_burst: Burst,
    pub ws_other_frames_per_sec: f64,
    pub ws_other_frame_burst: Burst,
    pub ws_max_sockets_per_user: NonZeroUsize,
    pub ws_max_rooms_per_socket: NonZeroUsize,
    pub ws_max_sends_in_flight: NonZeroUsize,
    pub ws_catch_up_ms: u64,
    pub shutdown_drain_ms: u64,
    pub write_writers: NonZeroUsize,
    pub write_queue: NonZeroUsize,
    pub write_batch_max: NonZeroUsize,
    pub storage_dir: Option<PathBuf>,
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

/// A token bucket's burst: at least one frame, or nothing could ever pass. A smaller value is a
/// start-up error naming the setting, not a silent correction.
#[derive(Clone, Copy, Debug)]
pub struct Burst(pub f64);

impl<'de> Deserialize<'de> for Burst {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let burst = f64::deserialize(deserializer)?;
        if burst.is_finite() && burst >= 1.0 {
            Ok(Self(burst))
        } else {
            Err(D::Error::custom(format!(
                "{burst} is not a burst: it must be 1 or more"
            )))
        }
    }
}

/// How long an upload URL lives, in seconds: from 1 s to 7 days (what S3 presigning allows).
#[derive(Clone, Copy, Debug)]
pub struct UploadTtl(pub u32);

impl<'de> Deserialize<'de> for UploadTtl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const WEEK: u32 = 7 * 24 * 3600;
        let secs = u32::deserialize(deserializer)?;
        if (1..=WEEK).contains(&secs) {
            Ok(Self(secs))
        } else {
            Err(D::Error::custom(format!(
                "{secs} s is not from 1 s to 7 days ({WEEK} s)"
            )))
        }
    }
}

/// The WebSocket settings a connection needs, in their working units.
#[derive(Clone, Debug)]
pub struct WsSettings {
    pub queue: usize,
    /// Sends of one socket waiting for their commit; past it the socket's frames wait.
    pub max_sends_in_flight: usize,
    pub ping_interval: std::time::Duration,
    pub idle_timeout: std::time::Duration,
    pub write_timeout: std::time::Duration,
    pub max_frame_bytes: usize,
    /// Per socket: `(per second, burst)` of sends, of joins (each may replay history), and of
    /// every other frame (read markers, leaves, pings). A rate of 0 is unlimited.
    pub sends: (f64, f64),
    pub joins: (f64, f64),
    pub other_frames: (f64, f64),
    pub max_sockets_per_user: usize,
    pub max_rooms_per_socket: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Local,
    Production,
}

impl Settings {
    /// The layered sources, before extraction; tests merge their overrides on top.
    pub fn figment() -> Figment {
        let env = std::env::var("CHAT_ENV").unwrap_or_else(|_| "local".to_owned());
        let file = std::env::var("CHAT_CONFIG").unwrap_or_else(|_| "chat.toml".to_owned());
        Figment::from(Toml::string(BASE))
            .merge(Toml::file(format!("configuration/{env}.toml")))
            .merge(Toml::file(file))
            .merge(Env::prefixed("CHAT_").ignore(&["config"]))
    }

    pub fn load() -> Result<Self, Box<figment::Error>> {
        Self::figment().extract().map_err(Box::new)
    }

    pub fn ws(&self) -> WsSettings {
        use std::time::Duration;
        WsSettings {
            queue: self.ws_queue.get(),
            max_sends_in_flight: self.ws_max_sends_in_flight.get(),
            ping_interval: Duration::from_millis(self.ws_ping_interval_ms.get()),
            idle_timeout: Duration::from_millis(self.ws_idle_timeout_ms),
            write_timeout: Duration::from_millis(self.ws_write_timeout_ms.get()),
            max_frame_bytes: self.ws_max_frame_bytes,
            sends: (self.ws_sends_per_sec, self.ws_send_burst.0),
            joins: (self.ws_joins_per_sec, self.ws_join_burst.0),
            other_frames: (self.ws_other_frames_per_sec, self.ws_other_frame_burst.0),
            max_sockets_per_user: self.ws_max_sockets_per_user.get(),
            max_rooms_per_socket: self.ws_max_rooms_per_socket.get(),
        }
    }

    /// The proxies whose `X-Forwarded-For` is believed; entries that are not addresses are errors.
    pub fn trusted_proxies(&self) -> Result<Vec<std::net::IpAddr>, String> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse()
                    .map_err(|_| format!("trusted_proxies: {entry:?} is not an IP address"))
            })
            .collect()
    }

    pub fn cors_origins(&self) -> impl Iterator<Item = &str> {
        self.cors_origins
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
    }
}

/// A secret: never printed, and read leniently (an all-digit secret from the environment is
/// still a string).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            Text(String),
            Int(i64),
            Float(f64),
        }
        Ok(Secret(match Scalar::deserialize(deserializer)? {
            Scalar::Text(text) => text,
            Scalar::Int(int) => int.to_string(),
            Scalar::Float(float) => float.to_string(),
        }))
    }
}

/// `on`/`off` (also `true`/`false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switch(pub bool);

impl<'de> Deserialize<'de> for Switch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Bool(on) => Ok(Switch(on)),
            Raw::Int(number) => Ok(Switch(number != 0)),
            Raw::Text(text) => match text.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" => Ok(Switch(true)),
                "off" | "false" | "0" => Ok(Switch(false)),
                other => Err(serde::de::Error::custom(format!(
                    "expected on or off, found {other:?}"
                ))),
            },
        }
    }
}
