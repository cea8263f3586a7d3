//! Builds the application from settings: connections, adapters, services, then the server.
//! The listener is bound first, so a test can ask for port 0 and read the real port.
use crate::adapters::captcha::{MemoryStore, RedisStore};
use crate::adapters::mail::{LogMailer, SmtpMailer};
use crate::auth::{TokenKeys, renew_token};
use crate::cors::cors;
use crate::extract::{path_error, query_error};
use crate::limits::{RateLimits, Rules};
use crate::metrics::Metrics;
use crate::middleware::{json_error_body, request_span};
use crate::openapi::ApiDoc;
use crate::routes;
use crate::secrets::jwt_secret;
use crate::settings::{Environment, Settings};
use crate::state::AppState;
use crate::storage::Storage;
use crate::storage::sweep::Sweep;
use crate::ws::bus::Bus;
use crate::ws::handler::chat_socket;
use crate::ws::publish::Publisher;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use chat::{PipelineConfig, SeaChatService, SendQueue};
use chatroom::SeaChatroomService;
use favorite::SeaFavoriteService;
use friend_request::SeaFriendRequestService;
use friendship::SeaFriendshipService;
use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, DbErr};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use user::{CaptchaTimes, EphemeralStore, LoginLimits, Mailer, SeaUserService, UserConfig};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

#[derive(thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("redis: {0}")]
    Redis(String),
    #[error("object storage: {0}")]
    Storage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// `main` returning this prints Debug: make that the readable message.
impl std::fmt::Debug for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

pub struct Application {
    port: u16,
    server: Server,
    shutdown: Arc<watch::Sender<bool>>,
    draining: Arc<AtomicBool>,
    /// How long `/ready` answers 503 before a signalled shutdown closes anything.
    drain: Duration,
    pipeline: Pipeline,
}

/// Stops a running application from outside (tests, embedding).
#[derive(Clone)]
pub struct StopHandle {
    server: ServerHandle,
    shutdown: Arc<watch::Sender<bool>>,
    draining: Arc<AtomicBool>,
}

impl StopHandle {
    /// `/ready` answers 503 from now on; nothing else changes yet.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Graceful: sockets get a close frame, in-flight requests finish.
    pub async fn stop(&self) {
        self.start_draining();
        let _ = self.shutdown.send(true);
        self.server.stop(true).await;
    }

    /// As if the process died: connections drop without a word.
    pub async fn kill(&self) {
        self.server.stop(false).await;
    }
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        require_production_services(&settings)?;
        std::fs::create_dir_all(&settings.data_dir)?;
        let db = connect_database(&settings).await?;
        if settings.migrate_on_start {
            Migrator::up(&db, None).await?;
        }
        let redis = connect_redis(&settings).await?;
        let (metrics, http_metrics) = Metrics::new().map_err(StartupError::Config)?;
        let (bus, hub) = match (&redis, &settings.redis_url) {
            (Some(pool), Some(url)) => {
                let client = deadpool_redis::redis::Client::open(url.expose())
                    .map_err(|e| StartupError::Redis(e.to_string()))?;
                Bus::start_redis(
                    client,
                    pool.clone(),
                    &settings.redis_prefix,
                    metrics.clone(),
                )
            }
            _ => Bus::start_local(metrics.clone()),
        };
        let pipeline = start_write_pipeline(&settings, &db, &bus, &metrics).await?;
        crate::ws::catch_up::start(
            hub.clone(),
            db.clone(),
            Duration::from_millis(settings.ws_catch_up_ms),
        );
        let sends = pipeline.sends.clone();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let draining = Arc::new(AtomicBool::new(false));
        let store: Arc<dyn EphemeralStore> = match &redis {
            Some(pool) => Arc::new(RedisStore::new(pool.clone(), &settings.redis_prefix)),
            None => Arc::new(MemoryStore::default()),
        };
        let mailer: Arc<dyn Mailer> = match &settings.smtp_url {
            Some(url) => Arc::new(
                SmtpMailer::new(
                    url.expose(),
                    &settings.mail_from,
                    metrics.mail_failures.clone(),
                )
                .map_err(|e| StartupError::Config(e.to_string()))?,
            ),
            None => Arc::new(LogMailer),
        };
        let secret = jwt_secret(&settings)?;
        let tokens = TokenKeys::new(
            secret.expose().as_bytes(),
            Duration::from_secs(settings.token_ttl_secs),
        );

        let listener = TcpListener::bind((settings.bind.as_str(), settings.port))?;
        let port = listener.local_addr()?.port();
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{port}", settings.bind));
        let public_url = public_url.trim_end_matches('/').to_owned();
        let storage = Storage::open(
            &settings,
            &public_url,
            secret.expose().as_bytes(),
            store.clone(),
        )
        .await
        .map_err(|e| StartupError::Storage(e.to_string()))?;
        Sweep {
            store: storage.store.clone(),
            db: db.clone(),
            turns: store.clone(),
            every: Duration::from_secs(settings.upload_sweep_secs),
            grace: Duration::from_secs(settings.upload_grace_secs),
            upload_ttl: Duration::from_secs(u64::from(storage.upload_ttl_secs)),
            metrics: metrics.clone(),
        }
        .start(shutdown_rx.clone());
        let rules = Rules::from_settings(&settings).map_err(StartupError::Config)?;
        let limits = RateLimits::new(store.clone(), settings.rate_limits.0, rules);
        let users = SeaUserService::new(db.clone(), user_config(&settings), store, mailer);
        let state = web::Data::new(AppState {
            users: Arc::new(users),
            friendships: Arc::new(SeaFriendshipService::new(db.clone())),
            friend_requests: Arc::new(SeaFriendRequestService::new(db.clone())),
            chatrooms: Arc::new(SeaChatroomService::new(db.clone())),
            chat: Arc::new(SeaChatService::new(db.clone(), sends.clone())),
            sends,
            favorites: Arc::new(SeaFavoriteService::new(db.clone())),
            tokens,
            db,
            redis,
            public_url,
            hub,
            bus,
            ws: settings.ws(),
            rate_limits: settings.rate_limits.0,
            limits,
            trusted_proxies: settings.trusted_proxies().map_err(StartupError::Config)?,
            storage,
            metrics,
            user_sockets: Default::default(),
            shutdown: shutdown_rx,
            draining: draining.clone(),
        });
        let origins: Vec<String> = settings.cors_origins().map(str::to_owned).collect();
        let body_limit = settings.body_limit_bytes;
        let openapi = ApiDoc::openapi();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .app_data(web::PayloadConfig::new(body_limit))
                .wrap(from_fn(renew_token))
                .wrap(ErrorHandlers::new().default_handler(json_error_body))
                .wrap(cors(origins.clone()))
                .wrap(http_metrics.clone())
                .wrap(from_fn(request_span))
                // gzip/brotli for clients that ask (the web client's scripts and styles, API.md
                // §7); never for a WebSocket upgrade, which has no body to encode.
                .wrap(actix_web::middleware::Compress::default())
                .configure(routes::user::configure)
                .configure(routes::friendship::configure)
                .configure(routes::friend_request::configure)
                .configure(routes::chatroom::configure)
                .configure(routes::ops::configure)
                .configure(routes::storage::configure)
                .configure(routes::favorite::configure)
                .service(web::resource("/chat").get(chat_socket))
                .service(web::redirect("/swagger-ui", "/swagger-ui/"))
                .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/openapi.json", openapi.clone()))
                .default_service(web::to(crate::web::client_or_not_found))
        })
        // Small frames go out at once: with Nagle's algorithm an ack or a message written while
        // an earlier frame waits for the client's (delayed) TCP ACK sat up to 40 ms.
        .tcp_nodelay(true)
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(10)
        .run();
        if !crate::web::available() {
            tracing::warn!(
                "the web client is not built (npm was missing at build time): serving the API only"
            );
        }
        tracing::info!("listening on http://{}:{port}", settings.bind);
        Ok(Self {
            port,
            server,
            shutdown: Arc::new(shutdown),
            draining,
            drain: Duration::from_millis(settings.shutdown_drain_ms),
            pipeline,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            server: self.server.handle(),
            shutdown: self.shutdown.clone(),
            draining: self.draining.clone(),
        }
    }

    /// Serves until SIGINT or SIGTERM (or a `StopHandle`), then shuts down gracefully.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let (stop, drain) = (self.stop_handle(), self.drain);
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!(drain_ms = drain.as_millis() as u64, "shutting down");
            stop.start_draining();
            tokio::time::sleep(drain).await;
            stop.stop().await;
        });
        let served = self.server.await;
        // Sends that were accepted are stored and published before the process ends.
        self.pipeline.drain().await;
        Ok(served?)
    }
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// `gateway migrate`: apply the schema history and stop.
pub async fn migrate(settings: &Settings) -> Result<(), StartupError> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let db = connect_database(settings).await?;
    Migrator::up(&db, None).await?;
    tracing::info!("migrations applied");
    Ok(())
}

/// Production refuses to start on embedded stand-ins: it names everything that is missing.
fn require_production_services(settings: &Settings) -> Result<(), StartupError> {
    if settings.env != Environment::Production {
        return Ok(());
    }
    let required = [
        ("CHAT_JWT_SECRET", settings.jwt_secret.is_some()),
        ("CHAT_DATABASE_URL", settings.database_url.is_some()),
        ("CHAT_REDIS_URL", settings.redis_url.is_some()),
        ("CHAT_SMTP_URL", settings.smtp_url.is_some()),
        ("CHAT_S3_ENDPOINT", settings.s3_endpoint.is_some()),
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

async fn connect_database(settings: &Settings) -> Result<DatabaseConnection, StartupError> {
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
async fn start_write_pipeline(
    settings: &Settings,
    db: &DatabaseConnection,
    bus: &Bus,
    metrics: &Metrics,
) -> Result<Pipeline, StartupError> {
    let sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    let writers = if sqlite {
        1
    } else {
        settings.write_writers.max(1)
    };
    let write_db = match (&settings.database_url, sqlite) {
        (Some(url), false) => migration::connect_sized(url.expose(), Some(writers as u32)).await?,
        _ => db.clone(),
    };
    let config = PipelineConfig {
        writers,
        queue: settings.write_queue,
        max_batch: settings.write_batch_max,
    };
    let (publisher, published) = Publisher::start(bus.clone(), metrics.clone());
    let sends = SendQueue::start(write_db, config, Arc::new(publisher));
    Ok(Pipeline { sends, published })
}

/// The write pipeline and the task that publishes what it stores, for draining at shutdown.
struct Pipeline {
    sends: SendQueue,
    published: tokio::task::JoinHandle<()>,
}

impl Pipeline {
    /// Stores what was accepted, publishes it, and returns (bounded: a dead database or broker
    /// cannot hold the exit forever).
    async fn drain(self) {
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

async fn connect_redis(settings: &Settings) -> Result<Option<deadpool_redis::Pool>, StartupError> {
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

fn user_config(settings: &Settings) -> UserConfig {
    UserConfig {
        bcrypt_cost: settings.bcrypt_cost,
        captcha: CaptchaTimes {
            send_interval: Duration::from_secs(settings.captcha_interval_secs),
            reset_wrong_tries_per_day: settings.reset_wrong_tries_per_day,
            ..CaptchaTimes::default()
        },
        login_limits: LoginLimits {
            per_account_address: settings.login_failures_per_account_address,
            per_account: settings.login_failures_per_account,
            per_address: settings.login_failures_per_address,
            window: Duration::from_secs(settings.login_failure_window_secs),
        },
    }
}
