//! Everything the user module can refuse, and the field-error list every module's validation uses.
use crate::ports::{KeyStoreError, MailError};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

/// One failed input field, as listed in a 400's `errors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("captcha is incorrect or expired")]
    CaptchaInvalid,
    #[error("a code was sent to this address moments ago")]
    CaptchaTooSoon { retry_after_secs: u64 },
    #[error("username is taken")]
    UsernameTaken,
    #[error("email is already registered")]
    EmailTaken,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("too many failed attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("username and email do not belong to the same account")]
    AccountMismatch,
    #[error("user not found")]
    NotFound,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Store(#[from] KeyStoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Database(DbErr),
}

impl From<DbErr> for UserError {
    /// Unique keys are the authority on duplicates (a pre-check can race); name which one fired.
    fn from(err: DbErr) -> Self {
        // The key's name, not the duplicate value: MySQL says "Duplicate entry 'x' for key
        // 'email'", SQLite "UNIQUE constraint failed: users.email".
        let key = match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => detail
                .rsplit("for key")
                .next()
                .unwrap_or_default()
                .to_owned(),
            _ => return UserError::Database(err),
        };
        if key.contains("username") {
            UserError::UsernameTaken
        } else if key.contains("email") {
            UserError::EmailTaken
        } else {
            UserError::Database(err)
        }
    }
}
