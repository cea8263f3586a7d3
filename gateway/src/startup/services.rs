//! The parts the application is built from: connections (database, Redis), the bus and hub,
//! the ephemeral store, the mailer, the message write pipeline, the storage section and the user
//! module's settings.
use crate::metrics::Metrics;
use crate::settings::{Environment, Secret, Settings};
use crate::startup_error::StartupError;
use crate::ws::bus::Bus;
use crate::ws::hub_task::HubHandle;
use crate::ws::publish::Publisher;
use adapters::ephemeral::{MemoryStore, RedisStore};
use adapters::mail::{LogMailer, SmtpMailer};
use chat::{PipelineConfig, SendQueue};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use storage::s3::S3Config;
use storage::upload::UploadLimits;
use storage::{Backend, StorageConfig};
use tokio_util::sync::CancellationToken;
use user::{CaptchaTimes, EphemeralStore, LoginLimits, Mailer, UserConfig};

/// Production refuses to start on embedded stand-ins: it names everything that is missing.
pub fn require_production_services(settings: &Settings) -> Result<(), StartupError> {
    if settings.env != Environment::Production {
        return Ok(());
    }
    let required = [
        ("CHAT_JWT_SECRET", settings.jwt_secret.is_some()),
        ("CHAT_DATABASE_URL", settings.database_url.is_some()),
        ("CHAT_REDIS_URL", settings.redis_url.is_some()),
        ("CHAT_SMTP_URL", settings.mail.smtp_url.is_some()),
        ("CHAT_S3_ENDPOINT", settings.storage.s3_endpoint.is_some()),
    ];
    let missing: Vec<&str> = required
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StartupError::Config(format!(
            "CHAT_ENV=production needs {} to be set",
            missing.join(", ")
        )))
    }
}

pub async fn connect_database(settings: &Settings) -> Result<DatabaseConnection, StartupError> {
    let url = match &settings.database_url {
        Some(url) => url.expose().to_owned(),
        None => format!(
            "sqlite://{}?mode=rwc",
            settings.data_dir.join("chat.db").display()
        ),
    };
    Ok(migration::connect(&url).await?)
}

/// The message write pipeline, with connections of its own on a server database (so that busy
/// rooms never take the pool that HTTP reads use); on SQLite it shares the one connection.
pub async fn start_write_pipeline(
    settings: &Settings,
    db: &DatabaseConnection,
    bus: &Bus,
    metrics: &Metrics,
) -> Result<Pipeline, StartupError> {
    let sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    let writers = if sqlite {
        1
    } else {
        settings.write.writers.get()
    };
    // Two connections per writer: sqlx pings a connection (a round trip) as the pool takes it
    // back after a commit, and the writer's next batch need not wait for that.
    let connections = u32::try_from(writers.saturating_mul(2)).unwrap_or(u32::MAX);
    let write_db = match (&settings.database_url, sqlite) {
        (Some(url), false) => migration::connect_sized(url.expose(), Some(connections)).await?,
        _ => db.clone(),
    };
    let config = PipelineConfig {
        writers,
        queue: settings.write.queue.get(),
        max_batch: settings.write.batch_max.get(),
    };
    let (publisher, published) = Publisher::start(bus.clone(), metrics.clone());
    let sends = SendQueue::start(write_db, config, Arc::new(publisher));
    Ok(Pipeline { sends, published })
}

/// The write pipeline and the task that publishes what it stores, for draining at shutdown.
pub struct Pipeline {
    pub sends: SendQueue,
    published: tokio::task::JoinHandle<()>,
}

impl Pipeline {
    /// Stores what was accepted, publishes it, and returns (bounded: a dead database or broker
    /// cannot hold the exit forever).
    pub async fn drain(self) {
        let drained = async {
            self.sends.drain().await;
            let _ = self.published.await;
        };
        if tokio::time::timeout(DRAIN_LIMIT, drained).await.is_err() {
            tracing::warn!("the write pipeline did not drain in time");
        }
    }
}

/// How long an exit waits for accepted sends to be stored and published.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

pub async fn connect_redis(
    settings: &Settings,
) -> Result<Option<deadpool_redis::Pool>, StartupError> {
    let Some(url) = &settings.redis_url else {
        return Ok(None);
    };
    let pool = deadpool_redis::Config::from_url(url.expose())
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .map_err(|e| StartupError::Redis(e.to_string()))?;
    // Fail at start, with a clear message, rather than on the first captcha.
    let mut conn = pool
        .get()
        .await
        .map_err(|e| StartupError::Redis(e.to_string()))?;
    deadpool_redis::redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .map_err(|e| StartupError::Redis(e.to_string()))?;
    Ok(Some(pool))
}

pub fn user_config(settings: &Settings) -> UserConfig {
    UserConfig {
        bcrypt_cost: settings.bcrypt_cost,
        captcha: CaptchaTimes {
            send_interval: Duration::from_secs(settings.limits.captcha_interval_secs),
            reset_wrong_tries_per_day: settings.limits.reset_wrong_tries_per_day,
            ..CaptchaTimes::default()
        },
        login_limits: LoginLimits {
            per_account_address: settings.limits.login_failures_per_account_address,
            per_account: settings.limits.login_failures_per_account,
            per_address: settings.limits.login_failures_per_address,
            window: Duration::from_secs(settings.limits.login_failure_window_secs),
        },
    }
}

/// The bus between gateways (Redis pub/sub, or in-process) and this gateway's hub.
pub fn start_bus(
    settings: &Settings,
    redis: &Option<deadpool_redis::Pool>,
    metrics: &Metrics,
    shutdown: &CancellationToken,
) -> Result<(Bus, HubHandle), StartupError> {
    Ok(match (redis, &settings.redis_url) {
        (Some(pool), Some(url)) => {
            let client = deadpool_redis::redis::Client::open(url.expose())
                .map_err(|e| StartupError::Redis(e.to_string()))?;
            Bus::start_redis(
                client,
                pool.clone(),
                &settings.redis_prefix,
                metrics.clone(),
                shutdown.clone(),
            )
        }
        _ => Bus::start_local(metrics.clone(), shutdown.clone()),
    })
}

/// Captchas, counters and turns: Redis when configured (shared by every gateway), else memory.
pub fn ephemeral_store(
    settings: &Settings,
    redis: &Option<deadpool_redis::Pool>,
) -> Arc<dyn EphemeralStore> {
    match redis {
        Some(pool) => Arc::new(RedisStore::new(pool.clone(), &settings.redis_prefix)),
        None => Arc::new(MemoryStore::default()),
    }
}

/// SMTP when configured, else mail goes to the log.
pub fn mailer(settings: &Settings, metrics: &Metrics) -> Result<Arc<dyn Mailer>, StartupError> {
    Ok(match &settings.mail.smtp_url {
        Some(url) => Arc::new(
            SmtpMailer::new(
                url.expose(),
                &settings.mail.from,
                metrics.mail_failures.clone(),
            )
            .map_err(|e| StartupError::Config(e.to_string()))?,
        ),
        None => Arc::new(LogMailer),
    })
}

/// The storage section: S3 when `s3_endpoint` is set, else files under its `dir` (by default
/// `objects/` in the data directory).
pub fn storage_config(settings: &Settings) -> Result<StorageConfig, StartupError> {
    let storage = &settings.storage;
    let backend = match &storage.s3_endpoint {
        Some(endpoint) => {
            let key = |secret: &Option<Secret>, name: &str| {
                secret
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .ok_or_else(|| {
                        StartupError::Storage(format!("CHAT_S3_ENDPOINT is set but {name} is not"))
                    })
            };
            Backend::S3(S3Config {
                endpoint: endpoint.clone(),
                public_endpoint: storage.s3_public_endpoint.clone(),
                bucket: storage.s3_bucket.clone(),
                region: storage.s3_region.clone(),
                access_key: key(&storage.s3_access_key, "CHAT_S3_ACCESS_KEY")?,
                secret_key: key(&storage.s3_secret_key, "CHAT_S3_SECRET_KEY")?,
                download_ttl_secs: storage.download_url_ttl_secs.get(),
            })
        }
        None => Backend::Local(
            storage
                .dir
                .clone()
                .unwrap_or_else(|| settings.data_dir.join("objects")),
        ),
    };
    Ok(StorageConfig {
        backend,
        limits: UploadLimits {
            avatar_max_bytes: storage.avatar_max_bytes,
            attachment_max_bytes: storage.attachment_max_bytes,
        },
        upload_ttl_secs: storage.upload_url_ttl_secs.0,
        quota_bytes: storage.upload_quota_bytes,
    })
}

/// Where clients reach this gateway: `public_url`, or the address it listens on.
pub fn public_url(settings: &Settings, port: u16) -> String {
    let url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}:{port}", settings.bind));
    url.trim_end_matches('/').to_owned()
}
