//! Builds the application from settings: connections, adapters, services, then the server.
//! The listener is bound first, so a test can ask for port 0 and read the real port.
mod server;
mod services;

use crate::limits::{RateLimits, Rules};
use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::secrets::jwt_secret;
use crate::settings::{Settings, WsSettings};
pub use crate::startup_error::StartupError;
use crate::state::AppState;
use crate::tokens::TokenKeys;
use crate::upload_sweep::Sweep;
use actix_web::dev::{Server, ServerHandle};
use actix_web::web;
use chat::SeaChatService;
use chatroom::SeaChatroomService;
use favorite::SeaFavoriteService;
use friend_request::SeaFriendRequestService;
use friendship::SeaFriendshipService;
use migration::{Migrator, MigratorTrait};
use server::http_server;
use services::{
    Pipeline, connect_database, connect_redis, ephemeral_store, mailer, public_url,
    require_production_services, start_bus, start_write_pipeline, storage_config, user_config,
};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use storage::Storage;
use tokio_util::sync::CancellationToken;
use user::{Mailer, SeaUserService};

pub struct Application {
    port: u16,
    server: Server,
    shutdown: CancellationToken,
    draining: Arc<AtomicBool>,
    /// How long `/ready` answers 503 before a signalled shutdown closes anything.
    drain: Duration,
    pipeline: Pipeline,
}

/// Stops a running application from outside (tests, embedding).
#[derive(Clone)]
pub struct StopHandle {
    server: ServerHandle,
    shutdown: CancellationToken,
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
        self.shutdown.cancel();
        self.server.stop(true).await;
    }

    /// As if the process died: connections drop without a word, then every task ends.
    pub async fn kill(&self) {
        self.server.stop(false).await;
        self.shutdown.cancel();
    }
}

/// Parts a caller hands in instead of the ones the settings would pick: a test reads its mail
/// from an outbox.
#[derive(Default)]
pub struct Overrides {
    pub mailer: Option<Arc<dyn Mailer>>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with(settings, Overrides::default()).await
    }

    /// Like `build`, with the parts in `overrides` instead of those the settings pick.
    pub async fn build_with(
        settings: Settings,
        overrides: Overrides,
    ) -> Result<Self, StartupError> {
        require_production_services(&settings)?;
        std::fs::create_dir_all(&settings.data_dir)?;
        let db = connect_database(&settings).await?;
        if settings.migrate_on_start {
            Migrator::up(&db, None).await?;
        }
        let redis = connect_redis(&settings).await?;
        let (metrics, http_metrics) = Metrics::new().map_err(StartupError::Config)?;
        // One token ends every task of this application: the hub, the bus subscriber, the
        // catch-up, the sweep and the sockets.
        let shutdown = CancellationToken::new();
        let (bus, hub) = start_bus(&settings, &redis, &metrics, &shutdown)?;
        let pipeline = start_write_pipeline(&settings, &db, &bus, &metrics).await?;
        crate::ws::catch_up::start(
            hub.clone(),
            db.clone(),
            Duration::from_millis(settings.ws.catch_up_ms),
            shutdown.clone(),
        );
        let sends = pipeline.sends.clone();
        let draining = Arc::new(AtomicBool::new(false));
        let store = ephemeral_store(&settings, &redis);
        let mailer = match overrides.mailer {
            Some(mailer) => mailer,
            None => mailer(&settings, &metrics)?,
        };
        let secret = jwt_secret(&settings)?;
        let tokens = TokenKeys::new(
            secret.expose().as_bytes(),
            Duration::from_secs(settings.token_ttl_secs),
        );

        let listener = TcpListener::bind((settings.bind.as_str(), settings.port))?;
        let port = listener.local_addr()?.port();
        let public_url = public_url(&settings, port);
        let storage = Storage::open(
            storage_config(&settings)?,
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
            every: Duration::from_secs(settings.storage.upload_sweep_secs),
            grace: Duration::from_secs(settings.storage.upload_grace_secs),
            upload_ttl: Duration::from_secs(u64::from(storage.upload_ttl_secs)),
            metrics: metrics.clone(),
        }
        .start(shutdown.clone());
        let rules = Rules::from_settings(&settings.limits).map_err(StartupError::Config)?;
        let limits = RateLimits::new(store.clone(), settings.limits.rate_limits.0, rules);
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
            readiness: Readiness::new(db, redis),
            public_url,
            hub,
            bus,
            ws: WsSettings::from(&settings.ws),
            limits,
            trusted_proxies: settings.trusted_proxies().map_err(StartupError::Config)?,
            storage,
            metrics,
            user_sockets: Default::default(),
            shutdown: shutdown.clone(),
            draining: draining.clone(),
        });
        let server = http_server(state, &settings, http_metrics, listener)?;
        if !crate::web_client::available() {
            tracing::warn!(
                "the web client is not built (npm was missing at build time): serving the API only"
            );
        }
        tracing::info!("listening on http://{}:{port}", settings.bind);
        Ok(Self {
            port,
            server,
            shutdown,
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
