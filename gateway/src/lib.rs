//! The gateway: wires the domain crates into actix-web routes.
#![forbid(unsafe_code)]

pub mod auth;
pub mod cors;
pub mod error;
pub mod error_code;
pub mod extract;
pub mod limits;
pub mod method_not_allowed;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod readiness;
pub mod routes;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod startup_error;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod upload_sweep;
pub mod use_cases;
pub mod web_client;
pub mod ws;
