//! `gateway` serves the API; `gateway migrate` only applies the schema history and exits.
use gateway::settings::Settings;
use gateway::startup::{Application, StartupError, migrate};
use gateway::telemetry;

/// jemalloc instead of the C library's allocator: idle sockets hold less memory and batches of
/// messages cost less CPU (measured in docs/decisions.md, "The gateway's allocator").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[actix_web::main]
async fn main() -> Result<(), StartupError> {
    let settings = Settings::load().map_err(|e| StartupError::Config(e.to_string()))?;
    telemetry::init(&settings);
    if std::env::args().nth(1).as_deref() == Some("migrate") {
        return migrate(&settings).await;
    }
    Application::build(settings)
        .await?
        .run_until_stopped()
        .await
}
