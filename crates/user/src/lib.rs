//! The user module: accounts, e-mail captchas, login and profile. It also owns the small shared
//! vocabulary every other module builds on: user ids, the public user shape, pages and field errors.
#![forbid(unsafe_code)]

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
