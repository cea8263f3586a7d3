//! The user module: accounts, e-mail captchas, login and profile. It also owns the small shared
//! vocabulary every other module builds on: user ids, the public user shape, pages and field errors.
#![forbid(unsafe_code)]

/// Defines an id type: an `i64` that keeps its meaning in signatures (a room's id cannot be
/// passed where a message's is expected), written as the bare number in JSON. Only the crate
/// that owns the table makes one from a number it read or checked (`new`); everyone else
/// passes it along.
#[macro_export]
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        /// As a query parameter (`Column::ChatroomId.eq(room)`).
        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> Self {
                id.0.into()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

mod captcha;
mod clock;
pub mod entity;
mod error;
mod filter;
mod head_pics;
mod page;
mod ports;
mod service;
mod throttle;
pub mod time;
mod types;

pub use captcha::{CaptchaFlow, CaptchaTimes, Captchas};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{FieldError, UserError};
pub use filter::name_contains;
pub use head_pics::head_pics;
pub use page::{Page, PageRequest};
pub use ports::{EphemeralStore, KeyStoreError, Mail, MailError, Mailer};
pub use service::{SeaUserService, UserConfig, UserService};
pub use throttle::{LoginLimits, LoginThrottle};
pub use types::{
    Captcha, Email, FieldErrors, HeadPic, LIKE_ESCAPE, LoggedIn, LoginInput, NickName, Password,
    Profile, RegisterInput, ResetPasswordInput, SearchText, UpdateInput, UserId, UserSummary,
    Username, has_dot_segment, is_stored_url, trimmed_text,
};
