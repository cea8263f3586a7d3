//! Every error code the API answers with, HTTP and WebSocket alike (docs/errors.md lists each;
//! a test holds the two together). Clients switch on these: they never change.
use serde::{Serialize, Serializer};

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, for the documentation check.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    AccountMismatch => "account_mismatch",
    AlreadyFriends => "already_friends",
    AlreadyMember => "already_member",
    AlreadyUploaded => "already_uploaded",
    BadRequest => "bad_request",
    CannotAddSelf => "cannot_add_self",
    CannotChatWithSelf => "cannot_chat_with_self",
    CaptchaInvalid => "captcha_invalid",
    CaptchaTooSoon => "captcha_too_soon",
    ContentTypeMismatch => "content_type_mismatch",
    DirectRoom => "direct_room",
    EmailTaken => "email_taken",
    FavoriteNotFound => "favorite_not_found",
    InternalError => "internal_error",
    InvalidBody => "invalid_body",
    InvalidCredentials => "invalid_credentials",
    InvalidFrame => "invalid_frame",
    InvalidPath => "invalid_path",
    InvalidQuery => "invalid_query",
    MailUnavailable => "mail_unavailable",
    MessageNotFound => "message_not_found",
    MethodNotAllowed => "method_not_allowed",
    NotAFriend => "not_a_friend",
    NotAWebsocket => "not_a_websocket",
    NotFound => "not_found",
    NotFriends => "not_friends",
    NotReady => "not_ready",
    ObjectNotFound => "object_not_found",
    PayloadTooLarge => "payload_too_large",
    QuotaExceeded => "quota_exceeded",
    RateLimited => "rate_limited",
    RequestDecided => "request_decided",
    RequestNotFound => "request_not_found",
    RequestPending => "request_pending",
    RoomNotFound => "room_not_found",
    ServerBusy => "server_busy",
    ShuttingDown => "shutting_down",
    SizeMismatch => "size_mismatch",
    StorageUnavailable => "storage_unavailable",
    StoreUnavailable => "store_unavailable",
    TokenInvalid => "token_invalid",
    TooManyAttempts => "too_many_attempts",
    TooManyRooms => "too_many_rooms",
    TooManySockets => "too_many_sockets",
    Unauthenticated => "unauthenticated",
    UnknownEvent => "unknown_event",
    UnsupportedMediaType => "unsupported_media_type",
    UploadInterrupted => "upload_interrupted",
    UploadUrlExpired => "upload_url_expired",
    UploadUrlInvalid => "upload_url_invalid",
    UserNotFound => "user_not_found",
    UsernameTaken => "username_taken",
    ValidationFailed => "validation_failed",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The codes docs/errors.md has in its table and in its WebSocket section.
    fn documented() -> BTreeSet<String> {
        let docs = include_str!("../../docs/errors.md");
        docs.split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| {
                !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn docs_errors_lists_every_code() {
        let documented = documented();
        let missing: Vec<&str> = ErrorCode::ALL
            .iter()
            .map(|code| code.as_str())
            .filter(|code| !documented.contains(*code))
            .collect();
        assert!(missing.is_empty(), "not in docs/errors.md: {missing:?}");
    }

    #[test]
    fn codes_are_unique_snake_case_words() {
        let all: BTreeSet<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(all.len(), ErrorCode::ALL.len());
        assert!(
            all.iter()
                .all(|code| code.split('_').all(|word| !word.is_empty()))
        );
    }
}
