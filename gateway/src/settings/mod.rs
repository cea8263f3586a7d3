//! Typed settings, layered with figment: the compiled-in base, `configuration/<env>.toml`,
//! `CHAT_CONFIG` (or `./chat.toml`), then `CHAT_*` environment variables. General settings are
//! top-level keys; the rest live in sections (`[ws]`, `[limits]`, `[storage]`, `[mail]`,
//! `[write]`), while every environment variable keeps its one flat name (`CHAT_WS_QUEUE`).
mod env;
mod files;
mod sections;
mod values;

use figment::Figment;
use figment::providers::{Format, Toml};
use serde::Deserialize;
use std::path::PathBuf;

pub use sections::{
    LimitsSection, MailSection, StorageSection, WriteSection, WsSection, WsSettings,
};
pub use values::{Burst, Secret, Switch, UploadTtl};

const BASE: &str = include_str!("../../../configuration/base.toml");

/// Every setting. A key it does not know, in a file or a section, is a start-up error naming
/// it, so a misspelt key is never silently ignored.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub env: Environment,
    pub bind: String,
    pub port: u16,
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub cors_origins: String,
    pub log: String,
    pub database_url: Option<Secret>,
    pub redis_url: Option<Secret>,
    pub redis_prefix: String,
    pub jwt_secret: Option<Secret>,
    pub token_ttl_secs: u64,
    pub migrate_on_start: bool,
    pub bcrypt_cost: u32,
    pub trusted_proxies: String,
    pub body_limit_bytes: usize,
    pub shutdown_drain_ms: u64,
    pub ws: WsSection,
    pub limits: LimitsSection,
    pub storage: StorageSection,
    pub mail: MailSection,
    pub write: WriteSection,
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
            .merge(files::FlatKeys(Toml::file(format!(
                "configuration/{env}.toml"
            ))))
            .merge(files::FlatKeys(Toml::file(file)))
            .merge(env::EnvVars)
    }

    pub fn load() -> Result<Self, Box<figment::Error>> {
        Self::figment().extract().map_err(Box::new)
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
