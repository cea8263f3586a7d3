//! Logging: `tracing` with JSON lines in production and readable lines locally.
use crate::settings::{Environment, Settings};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `RUST_LOG` wins over the `log` setting when set.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = match settings.env {
        Environment::Production => builder.json().with_current_span(true).try_init(),
        Environment::Local => builder.try_init(),
    };
    // Already installed (tests start many apps in one process): keep the first.
    drop(installed);
}
