//! Why the service could not start; `main` prints it.
use sea_orm::DbErr;

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
