//! The one mapping from every refusal to HTTP: `{statusCode, code, message, errors?}`.
//! Each domain error is matched exhaustively, so a new variant forces a decision here.
use crate::storage::StoreError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use chat::ChatError;
use chatroom::ChatroomError;
use favorite::FavoriteError;
use friend_request::FriendRequestError;
use friendship::FriendshipError;
use serde::Serialize;
use user::{FieldError, UserError};
use utoipa::ToSchema;

/// The error body of every 4xx and 5xx.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status_code: u16,
    /// Stable snake_case code that clients switch on.
    pub code: &'static str,
    /// For people; never carries internals.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    errors: Option<Vec<FieldError>>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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
            ..Self::new(StatusCode::BAD_REQUEST, "validation_failed", message)
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
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_body", message)
        }
    }

    pub fn too_many(code: &'static str, message: &str, retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Log in first")
    }

    pub fn token_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "token_invalid",
            "The token is invalid, expired or revoked; log in again",
        )
    }

    /// A failure that is ours, not the client's: the cause goes to the log once, tied to the
    /// request span (and so to `x-request-id`); the client gets an opaque message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side",
        )
    }

    pub fn unavailable(code: &'static str, what: &str, cause: &dyn std::fmt::Display) -> Self {
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
            404 => ("not_found", "No such route"),
            405 => (
                "method_not_allowed",
                "This route does not accept that method",
            ),
            413 => ("payload_too_large", "The request body is too large"),
            415 => ("unsupported_media_type", "Unsupported content type"),
            400..=499 => ("bad_request", "The request was not understood"),
            _ => ("internal_error", "Something went wrong on our side"),
        };
        Self::new(status, code, message)
    }

    pub fn code(&self) -> &'static str {
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
                "captcha_invalid",
                "Captcha is incorrect or expired",
            ),
            UserError::CaptchaTooSoon { retry_after_secs } => Self::too_many(
                "captcha_too_soon",
                "A code was sent to this address moments ago; wait before asking again",
                retry_after_secs,
            ),
            UserError::UsernameTaken => {
                Self::new(S::CONFLICT, "username_taken", "That username is taken")
            }
            UserError::EmailTaken => Self::new(
                S::CONFLICT,
                "email_taken",
                "That email address already has an account",
            ),
            UserError::InvalidCredentials => Self::new(
                S::BAD_REQUEST,
                "invalid_credentials",
                "Wrong username or password",
            ),
            UserError::TooManyAttempts { retry_after_secs } => Self::too_many(
                "too_many_attempts",
                "Too many failed attempts; try again later",
                retry_after_secs,
            ),
            UserError::AccountMismatch => Self::new(
                S::BAD_REQUEST,
                "account_mismatch",
                "That username and email do not belong to the same account",
            ),
            UserError::NotFound => Self::new(S::NOT_FOUND, "user_not_found", "No such user"),
            UserError::Mail(cause) => Self::unavailable("mail_unavailable", "mail service", &cause),
            UserError::Store(cause) => {
                Self::unavailable("store_unavailable", "captcha store", &cause)
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
                "not_friends",
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
                "cannot_add_self",
                "You cannot send a friend request to yourself",
            ),
            FriendRequestError::UserNotFound => {
                Self::new(S::NOT_FOUND, "user_not_found", "No user with that username")
            }
            FriendRequestError::AlreadyFriends => {
                Self::new(S::CONFLICT, "already_friends", "You are already friends")
            }
            FriendRequestError::AlreadyPending => Self::new(
                S::CONFLICT,
                "request_pending",
                "Your request to this user is still pending",
            ),
            FriendRequestError::NotFound => Self::new(
                S::NOT_FOUND,
                "request_not_found",
                "No such friend request addressed to you",
            ),
            FriendRequestError::AlreadyDecided => Self::new(
                S::CONFLICT,
                "request_decided",
                "That request was already agreed or rejected",
            ),
            FriendRequestError::Database(cause) => Self::internal(&cause),
        }
    }
}

fn room_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "room_not_found",
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
                "not_a_friend",
                "Only your friends can be added",
            ),
            ChatroomError::WithSelf => Self::new(
                S::BAD_REQUEST,
                "cannot_chat_with_self",
                "A direct room needs another person",
            ),
            ChatroomError::DirectRoom => Self::new(
                S::BAD_REQUEST,
                "direct_room",
                "A direct room has exactly its two people",
            ),
            ChatroomError::AlreadyMember => {
                Self::new(S::CONFLICT, "already_member", "Already in this room")
            }
            ChatroomError::UserNotFound => {
                Self::new(S::NOT_FOUND, "user_not_found", "No user with that username")
            }
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
                    "server_busy",
                    "Too many messages are waiting to be stored; try again shortly",
                )
            },
            ChatError::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
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
            StoreError::NotFound => Self::new(S::NOT_FOUND, "object_not_found", "No such object"),
            StoreError::BadSignature => Self::new(S::FORBIDDEN, "upload_url_invalid", message),
            StoreError::Expired => Self::new(S::FORBIDDEN, "upload_url_expired", message),
            StoreError::TooLarge => Self::new(S::PAYLOAD_TOO_LARGE, "payload_too_large", message),
            StoreError::SizeMismatch => Self::new(S::BAD_REQUEST, "size_mismatch", message),
            StoreError::TypeMismatch => {
                Self::new(S::UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch", message)
            }
            StoreError::AlreadyUploaded => Self::new(S::CONFLICT, "already_uploaded", message),
            StoreError::BadBody(_) => Self::new(S::BAD_REQUEST, "upload_interrupted", message),
            StoreError::Backend(cause) => {
                Self::unavailable("storage_unavailable", "object storage", &cause)
            }
        }
    }
}

impl From<FavoriteError> for ApiError {
    fn from(err: FavoriteError) -> Self {
        use StatusCode as S;
        match err {
            FavoriteError::MessageNotFound => {
                Self::new(S::NOT_FOUND, "message_not_found", "No such message")
            }
            FavoriteError::NotFound => {
                Self::new(S::NOT_FOUND, "favorite_not_found", "No such favorite")
            }
            FavoriteError::Database(cause) => Self::internal(&cause),
        }
    }
}
