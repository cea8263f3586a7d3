//! Operations: liveness and readiness.
use crate::error::{ApiError, ErrorBody};
use crate::error_code::ErrorCode;
use crate::state::AppState;
use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready);
}

#[derive(Serialize, ToSchema)]
pub struct Status {
    status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "ops", responses((status = 200, body = Status)))]
#[get("/health")]
pub async fn health() -> web::Json<Status> {
    web::Json(Status { status: "ok" })
}

/// The database, the object store, the message bus (and Redis, when configured) answer.
#[utoipa::path(tag = "ops",
    responses((status = 200, body = Status), (status = 503, body = ErrorBody)))]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<Status>, ApiError> {
    // Draining: a load balancer stops sending new work here while what is open finishes.
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::NotReady,
            "The gateway is shutting down".to_owned(),
        ));
    }
    if let Err(down) = state.readiness.check().await {
        return Err(ApiError::unavailable(
            ErrorCode::NotReady,
            down.what,
            &down.cause,
        ));
    }
    if state.metrics.bus_connected.get() != 1 {
        return Err(ApiError::unavailable(
            ErrorCode::NotReady,
            "message bus",
            &"the Redis subscription is down",
        ));
    }
    state
        .storage
        .store
        .check()
        .await
        .map_err(|e| ApiError::unavailable(ErrorCode::NotReady, "object storage", &e))?;
    Ok(web::Json(Status { status: "ready" }))
}
