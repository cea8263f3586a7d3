//! Validated inputs (parse, don't validate) and the user shapes the API returns.
use crate::entity;
use crate::error::FieldError;
use crate::page::PageRequest;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use validator::ValidateEmail;

crate::id_type! {
    /// A user's id.
    UserId
}

/// Collects every failed field of one request, so a 400 lists them all at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a required field; a missing one is reported as such.
    pub fn required<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match raw {
            Some(raw) => self.check(field, parse(raw)),
            None => {
                self.0.push(FieldError::new(field, "is required"));
                None
            }
        }
    }

    /// Parses a field that may be absent.
    pub fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        raw.and_then(|raw| self.check(field, parse(raw)))
    }

    /// Parses `page` and `pageSize`; on failure records them and returns the default page
    /// (the request is refused by `finish` anyway).
    pub fn page(&mut self, page: Option<&str>, page_size: Option<&str>) -> PageRequest {
        PageRequest::parse(page, page_size).unwrap_or_else(|errors| {
            self.0.extend(errors);
            PageRequest::default()
        })
    }

    /// The parsed `value` when no field failed, else every failure.
    pub fn done<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }

    /// Records the failure of an already parsed field.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.0.push(FieldError::new(field, message)))
            .ok()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// 3–32 characters of `[A-Za-z0-9_.-]`.
    Username
);
string_newtype!(
    /// 1–50 characters after trimming, no control characters.
    NickName
);
string_newtype!(
    /// A valid address of at most 254 characters, trimmed and lower-cased.
    Email
);
/// 6–72 bytes (bcrypt's limit). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);
string_newtype!(
    /// Exactly six digits.
    Captcha
);
string_newtype!(
    /// Empty (no picture) or a URL of the caller's own avatar in our storage.
    HeadPic
);
string_newtype!(
    /// A search term of 1–50 characters.
    SearchText
);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if (3..=32).contains(&raw.len()) && ok_chars {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 3-32 characters of letters, digits, '_', '.' or '-'".to_owned())
        }
    }
}

/// Text people type and others read (names, reasons, search terms): trimmed, `min`–`max`
/// characters, no control characters.
pub fn trimmed_text(raw: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    let count = trimmed.chars().count();
    // Control characters are refused anywhere, trimmed or not (a tab or a line break too), as
    // the OpenAPI document's patterns say.
    if (min..=max).contains(&count) && !raw.chars().any(char::is_control) {
        Ok(trimmed.to_owned())
    } else if min == 0 {
        Err(format!("must be at most {max} characters"))
    } else {
        Err(format!("must be {min}-{max} characters"))
    }
}

impl NickName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        trimmed_text(raw, 1, 50).map(Self)
    }
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let normalised = raw.trim().to_lowercase();
        if normalised.len() <= 254 && normalised.validate_email() {
            Ok(Self(normalised))
        } else {
            Err("must be a valid email address of at most 254 characters".to_owned())
        }
    }
}

impl Password {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        if (6..=72).contains(&raw.len()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 6-72 bytes".to_owned())
        }
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Captcha {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err("must be the 6-digit code from the e-mail".to_owned())
        }
    }
}

impl HeadPic {
    /// `own_avatar_prefix` is where this user's uploaded avatars live
    /// (`<public url>/storage/object/avatar/<user id>/`): nobody can point at someone else's file.
    pub fn parse(raw: &str, own_avatar_prefix: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() || is_stored_url(raw, own_avatar_prefix) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be empty or the url of an avatar you uploaded".to_owned())
        }
    }
}

/// The escape character of every `LIKE` pattern built from a `SearchText`.
pub const LIKE_ESCAPE: char = '!';

/// Whether `url` names an object under `prefix` of our own storage (`<public url>/storage/
/// object/<purpose>/...`): at most 1024 bytes, and after the prefix only what our object URLs
/// contain (letters, digits, `.-_()/` and percent escapes), so no quote, angle bracket, query or
/// fragment can ride along, and no dot segment can climb out. Avatars and image or file
/// messages share this check.
pub fn is_stored_url(url: &str, prefix: &str) -> bool {
    let Some(rest) = url.strip_prefix(prefix) else {
        return false;
    };
    url.len() <= 1024
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_()/%".contains(&b))
        && !has_dot_segment(url)
}

/// Whether a URL path could climb out of its prefix (`..`, also percent-encoded, or `\\`).
pub fn has_dot_segment(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.contains("/../")
        || lower.ends_with("/..")
        || lower.contains("/./")
        || lower.contains("%2e")
        || lower.contains('\\')
}

impl SearchText {
    pub fn parse(raw: &str) -> Result<Self, String> {
        trimmed_text(raw, 1, 50).map(Self)
    }

    /// A lower-case `LIKE` pattern matching the text anywhere, with `%`, `_` and `!` taken
    /// literally; to be used with `ESCAPE '!'` (not a backslash, which MySQL string literals
    /// would themselves unescape).
    pub fn contains_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        // ASCII folding only, as SQLite's LIKE and LOWER do: an accented name still matches
        // itself there (MySQL's collation folds the rest anyway).
        for c in self.0.to_ascii_lowercase().chars() {
            if matches!(c, '%' | '_' | LIKE_ESCAPE) {
                pattern.push(LIKE_ESCAPE);
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

#[derive(Debug)]
pub struct RegisterInput {
    pub username: Username,
    pub nick_name: NickName,
    pub password: Password,
    pub email: Email,
    pub captcha: Captcha,
}

#[derive(Debug)]
pub struct LoginInput {
    pub username: Username,
    pub password: String,
}

#[derive(Debug)]
pub struct UpdateInput {
    pub nick_name: Option<NickName>,
    pub head_pic: Option<HeadPic>,
    pub email: Option<Email>,
    /// Needed only when `email` is a new address: the code mailed to it.
    pub captcha: Option<Captcha>,
}

#[derive(Debug)]
pub struct ResetPasswordInput {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub captcha: Captcha,
}

/// Your own profile: the only shape that carries an e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: i64,
    pub username: String,
    pub nick_name: String,
    pub email: String,
    pub head_pic: String,
    #[serde(serialize_with = "crate::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
}

/// How other people see a user: never with the e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, sea_orm::FromQueryResult)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub nick_name: String,
    pub head_pic: String,
}

/// A successful login: the profile and the token version the gateway signs into the token.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    pub profile: Profile,
    pub token_version: i32,
}

impl From<entity::Model> for Profile {
    fn from(user: entity::Model) -> Self {
        Self {
            id: user.id,
            username: user.username,
            nick_name: user.nick_name,
            email: user.email,
            head_pic: user.head_pic,
            create_time: user.create_time,
        }
    }
}

impl From<entity::Model> for UserSummary {
    fn from(user: entity::Model) -> Self {
        Self {
            id: user.id,
            username: user.username,
            nick_name: user.nick_name,
            head_pic: user.head_pic,
        }
    }
}

#[cfg(test)]
#[path = "types_fuzz.rs"]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::trimmed_text;

    #[test]
    fn text_is_trimmed_and_control_characters_are_refused_anywhere() {
        assert_eq!(trimmed_text("  Bob ", 1, 50).as_deref(), Ok("Bob"));
        for bad in ["\x0c;S", "a\nb", "Bob\t", "\u{85}x", "\r\n"] {
            assert!(trimmed_text(bad, 0, 50).is_err(), "{bad:?}");
        }
    }
}
