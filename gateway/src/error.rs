//! The one mapping from every refusal to HTTP: `{statusCode, code, message, errors?}`.
//! Each domain error is matched exhaustively, so a new variant forces a decision here.
use crate::error_code::ErrorCode;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use chat::ChatError;
use chatroom::ChatroomError;
use favorite::FavoriteError;
use friend_request::FriendRequestError;
use friendship::FriendshipError;
use serde::Serialize;
use storage::StoreError;
use storage::quota::QuotaError;
use user::{FieldError, UserError};
use utoipa::ToSchema;

/// The error body of every 4xx and 5xx.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status_code: u16,
    /// Stable snake_case code that clients switch on (docs/errors.md).
    #[schema(value_type = String)]
    pub code: ErrorCode,
    /// For people; never carries internals.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    errors: Option<Vec<FieldError>>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: None,
            retry_after_secs: None,
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let message = format!("Invalid input: {}", fields.join(", "));
        Self {
            errors: Some(errors),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::ValidationFailed,
                message,
            )
        }
    }

    /// A body that is not the JSON the route expects; `field` is where it went wrong.
    pub fn invalid_body(field: Option<String>, message: String) -> Self {
        Self {
            errors: field.map(|field| {
                vec![FieldError {
                    field,
                    message: message.clone(),
                }]
            }),
            ..Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidBody, message)
        }
    }

    pub fn too_many(code: ErrorCode, message: &str, retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Log in first",
        )
    }

    pub fn token_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenInvalid,
            "The token is invalid, expired or revoked; log in again",
        )
    }

    /// A failure that is ours, not the client's: the cause goes to the log once, tied to the
    /// request span (and so to `x-request-id`); the client gets an opaque message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side",
        )
    }

    pub fn unavailable(code: ErrorCode, what: &str, cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "{what} unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            format!("The {what} is unavailable; try again shortly"),
        )
    }

    /// The generic body for a status that no handler described (unknown route, wrong method...).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            404 => (ErrorCode::NotFound, "No such route"),
            405 => (
                ErrorCode::MethodNotAllowed,
                "This route does not accept that method",
            ),
            413 => (ErrorCode::PayloadTooLarge, "The request body is too large"),
            415 => (ErrorCode::UnsupportedMediaType, "Unsupported content type"),
            400..=499 => (ErrorCode::BadRequest, "The request was not understood"),
            _ => (ErrorCode::InternalError, "Something went wrong on our side"),
        };
        Self::new(status, code, message)
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        response.json(ErrorBody {
            status_code: self.status.as_u16(),
            code: self.code,
            message: self.message.clone(),
            errors: self.errors.clone(),
        })
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::validation(errors)
    }
}

impl From<UserError> for ApiError {
    fn from(err: UserError) -> Self {
        use StatusCode as S;
        match err {
            UserError::Validation(errors) => Self::validation(errors),
            UserError::CaptchaInvalid => Self::new(
                S::BAD_REQUEST,
                ErrorCode::CaptchaInvalid,
                "Captcha is incorrect or expired",
            ),
            UserError::CaptchaTooSoon { retry_after_secs } => Self::too_many(
                ErrorCode::CaptchaTooSoon,
                "A code was sent to this address moments ago; wait before asking again",
                retry_after_secs,
            ),
            UserError::UsernameTaken => Self::new(
                S::CONFLICT,
                ErrorCode::UsernameTaken,
                "That username is taken",
            ),
            UserError::EmailTaken => Self::new(
                S::CONFLICT,
                ErrorCode::EmailTaken,
                "That email address already has an account",
            ),
            UserError::InvalidCredentials => Self::new(
                S::BAD_REQUEST,
                ErrorCode::InvalidCredentials,
                "Wrong username or password",
            ),
            UserError::TooManyAttempts { retry_after_secs } => Self::too_many(
                ErrorCode::TooManyAttempts,
                "Too many failed attempts; try again later",
                retry_after_secs,
            ),
            UserError::AccountMismatch => Self::new(
                S::BAD_REQUEST,
                ErrorCode::AccountMismatch,
                "That username and email do not belong to the same account",
            ),
            UserError::NotFound => Self::new(S::NOT_FOUND, ErrorCode::UserNotFound, "No such user"),
            UserError::Mail(cause) => {
                Self::unavailable(ErrorCode::MailUnavailable, "mail service", &cause)
            }
            UserError::Store(cause) => {
                Self::unavailable(ErrorCode::StoreUnavailable, "captcha store", &cause)
            }
            UserError::Hashing(cause) => Self::internal(&cause),
            UserError::Database(cause) => Self::internal(&cause),
        }
    }
}

impl From<FriendshipError> for ApiError {
    fn from(err: FriendshipError) -> Self {
        match err {
            FriendshipError::NotFriends => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFriends,
                "You are not friends with that user",
            ),
            FriendshipError::Database(cause) => Self::internal(&cause),
        }
    }
}

impl From<FriendRequestError> for ApiError {
    fn from(err: FriendRequestError) -> Self {
        use StatusCode as S;
        match err {
            FriendRequestError::ToSelf => Self::new(
                S::BAD_REQUEST,
                ErrorCode::CannotAddSelf,
                "You cannot send a friend request to yourself",
            ),
            FriendRequestError::UserNotFound => Self::new(
                S::NOT_FOUND,
                ErrorCode::UserNotFound,
                "No user with that username",
            ),
            FriendRequestError::AlreadyFriends => Self::new(
                S::CONFLICT,
                ErrorCode::AlreadyFriends,
                "You are already friends",
            ),
            FriendRequestError::AlreadyPending => Self::new(
                S::CONFLICT,
                ErrorCode::RequestPending,
                "Your request to this user is still pending",
            ),
            FriendRequestError::NotFound => Self::new(
                S::NOT_FOUND,
                ErrorCode::RequestNotFound,
                "No such friend request addressed to you",
            ),
            FriendRequestError::AlreadyDecided => Self::new(
                S::CONFLICT,
                ErrorCode::RequestDecided,
                "That request was already agreed or rejected",
            ),
            FriendRequestError::Database(cause) => Self::internal(&cause),
        }
    }
}

fn room_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::RoomNotFound,
        "No such room among yours",
    )
}

impl From<ChatroomError> for ApiError {
    fn from(err: ChatroomError) -> Self {
        use StatusCode as S;
        match err {
            ChatroomError::NotFound => room_not_found(),
            ChatroomError::NotAFriend => Self::new(
                S::BAD_REQUEST,
                ErrorCode::NotAFriend,
                "Only your friends can be added",
            ),
            ChatroomError::WithSelf => Self::new(
                S::BAD_REQUEST,
                ErrorCode::CannotChatWithSelf,
                "A direct room needs another person",
            ),
            ChatroomError::DirectRoom => Self::new(
                S::BAD_REQUEST,
                ErrorCode::DirectRoom,
                "A direct room has exactly its two people",
            ),
            ChatroomError::AlreadyMember => Self::new(
                S::CONFLICT,
                ErrorCode::AlreadyMember,
                "Already in this room",
            ),
            ChatroomError::UserNotFound => Self::new(
                S::NOT_FOUND,
                ErrorCode::UserNotFound,
                "No user with that username",
            ),
            ChatroomError::Database(cause) => Self::internal(&cause),
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(err: ChatError) -> Self {
        match err {
            ChatError::RoomNotFound => room_not_found(),
            ChatError::Busy => Self {
                retry_after_secs: Some(1),
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ServerBusy,
                    "Too many messages are waiting to be stored; try again shortly",
                )
            },
            ChatError::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ShuttingDown,
                "This server is shutting down; send again after reconnecting",
            ),
            ChatError::Database(cause) => Self::internal(&cause),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        use StatusCode as S;
        let message = err.to_string();
        match err {
            StoreError::NotFound => {
                Self::new(S::NOT_FOUND, ErrorCode::ObjectNotFound, "No such object")
            }
            StoreError::BadSignature => {
                Self::new(S::FORBIDDEN, ErrorCode::UploadUrlInvalid, message)
            }
            StoreError::Expired => Self::new(S::FORBIDDEN, ErrorCode::UploadUrlExpired, message),
            StoreError::TooLarge => {
                Self::new(S::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, message)
            }
            StoreError::SizeMismatch => Self::new(S::BAD_REQUEST, ErrorCode::SizeMismatch, message),
            StoreError::TypeMismatch => Self::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::ContentTypeMismatch,
                message,
            ),
            StoreError::AlreadyUploaded => {
                Self::new(S::CONFLICT, ErrorCode::AlreadyUploaded, message)
            }
            StoreError::BadBody(_) => {
                Self::new(S::BAD_REQUEST, ErrorCode::UploadInterrupted, message)
            }
            StoreError::Backend(cause) => {
                Self::unavailable(ErrorCode::StorageUnavailable, "object storage", &cause)
            }
        }
    }
}

impl From<QuotaError> for ApiError {
    fn from(err: QuotaError) -> Self {
        const MIB: u64 = 1024 * 1024;
        match err {
            QuotaError::Exceeded { quota, in_use } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::QuotaExceeded,
                format!(
                    "Each user may store {} MiB; {} MiB are stored or being uploaded, so this \
                     file does not fit",
                    quota.div_ceil(MIB),
                    in_use.div_ceil(MIB),
                ),
            ),
            QuotaError::KeyStore(err) => {
                Self::unavailable(ErrorCode::StoreUnavailable, "key store", &err)
            }
            QuotaError::Store(err) => err.into(),
        }
    }
}

impl From<FavoriteError> for ApiError {
    fn from(err: FavoriteError) -> Self {
        use StatusCode as S;
        match err {
            FavoriteError::MessageNotFound => {
                Self::new(S::NOT_FOUND, ErrorCode::MessageNotFound, "No such message")
            }
            FavoriteError::NotFound => Self::new(
                S::NOT_FOUND,
                ErrorCode::FavoriteNotFound,
                "No such favorite",
            ),
            FavoriteError::Database(cause) => Self::internal(&cause),
        }
    }
}
