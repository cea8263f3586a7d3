//! Operations: liveness and readiness.
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::web;
use serde::Serialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health").get(health))
        .service(web::resource("/ready").get(ready));
}

#[derive(Serialize, ToSchema)]
pub struct Status {
    status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "ops", responses((status = 200, body = Status)))]
pub async fn health() -> web::Json<Status> {
    web::Json(Status { status: "ok" })
}

/// The database, the object store, the message bus (and Redis, when configured) answer.
#[utoipa::path(get, path = "/ready", tag = "ops",
    responses((status = 200, body = Status), (status = 503, body = ErrorBody)))]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<Status>, ApiError> {
    // Draining: a load balancer stops sending new work here while what is open finishes.
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "The gateway is shutting down".to_owned(),
        ));
    }
    state
        .db
        .ping()
        .await
        .map_err(|e| ApiError::unavailable("not_ready", "database", &e))?;
    if state.metrics.bus_connected.get() != 1 {
        return Err(ApiError::unavailable(
            "not_ready",
            "message bus",
            &"the Redis subscription is down",
        ));
    }
    if let Some(pool) = &state.redis {
        let mut conn = pool
            .get()
            .await
            .map_err(|e| ApiError::unavailable("not_ready", "redis", &e))?;
        deadpool_redis::redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(|e| ApiError::unavailable("not_ready", "redis", &e))?;
    }
    state
        .storage
        .store
        .check()
        .await
        .map_err(|e| ApiError::unavailable("not_ready", "object storage", &e))?;
    Ok(web::Json(Status { status: "ready" }))
}
