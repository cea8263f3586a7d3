//! `CHAT_*` environment variables: one flat name per setting (the public contract, API.md §5),
//! whatever section the setting lives in. Only the names below are read, so a variable that is
//! not a setting (`CHAT_CONFIG`, `CHAT_SKIP_WEB_BUILD`) never reaches the sections' check for
//! unknown keys; an error in one names the variable itself (`CHAT_WS_QUEUE`).
use figment::providers::Env;
use figment::value::{Dict, Map, Uncased};
use figment::{Metadata, Profile, Provider};

/// Settings outside any section: the variable is `CHAT_` and the key in upper case.
pub(super) const GENERAL: &[&str] = &[
    "env",
    "bind",
    "port",
    "public_url",
    "data_dir",
    "cors_origins",
    "log",
    "database_url",
    "redis_url",
    "redis_prefix",
    "jwt_secret",
    "token_ttl_secs",
    "migrate_on_start",
    "bcrypt_cost",
    "trusted_proxies",
    "body_limit_bytes",
    "shutdown_drain_ms",
];

/// Settings in a section: the flat name (`CHAT_` and it in upper case is the variable) and the
/// dotted path of the key (`[ws] queue`).
pub(super) const SECTIONED: &[(&str, &str)] = &[
    ("ws_queue", "ws.queue"),
    ("ws_ping_interval_ms", "ws.ping_interval_ms"),
    ("ws_idle_timeout_ms", "ws.idle_timeout_ms"),
    ("ws_write_timeout_ms", "ws.write_timeout_ms"),
    ("ws_max_frame_bytes", "ws.max_frame_bytes"),
    ("ws_sends_per_sec", "ws.sends_per_sec"),
    ("ws_send_burst", "ws.send_burst"),
    ("ws_joins_per_sec", "ws.joins_per_sec"),
    ("ws_join_burst", "ws.join_burst"),
    ("ws_other_frames_per_sec", "ws.other_frames_per_sec"),
    ("ws_other_frame_burst", "ws.other_frame_burst"),
    ("ws_max_sockets_per_user", "ws.max_sockets_per_user"),
    ("ws_max_rooms_per_socket", "ws.max_rooms_per_socket"),
    ("ws_max_sends_in_flight", "ws.max_sends_in_flight"),
    ("ws_catch_up_ms", "ws.catch_up_ms"),
    ("rate_limits", "limits.rate_limits"),
    ("limit_register", "limits.register"),
    ("limit_login", "limits.login"),
    ("limit_captcha", "limits.captcha"),
    ("limit_friend_request", "limits.friend_request"),
    ("limit_send", "limits.send"),
    ("limit_presign", "limits.presign"),
    ("limit_room_create", "limits.room_create"),
    ("captcha_interval_secs", "limits.captcha_interval_secs"),
    (
        "login_failures_per_account_address",
        "limits.login_failures_per_account_address",
    ),
    (
        "login_failures_per_account",
        "limits.login_failures_per_account",
    ),
    (
        "login_failures_per_address",
        "limits.login_failures_per_address",
    ),
    (
        "login_failure_window_secs",
        "limits.login_failure_window_secs",
    ),
    (
        "reset_wrong_tries_per_day",
        "limits.reset_wrong_tries_per_day",
    ),
    ("storage_dir", "storage.dir"),
    ("s3_endpoint", "storage.s3_endpoint"),
    ("s3_public_endpoint", "storage.s3_public_endpoint"),
    ("s3_bucket", "storage.s3_bucket"),
    ("s3_region", "storage.s3_region"),
    ("s3_access_key", "storage.s3_access_key"),
    ("s3_secret_key", "storage.s3_secret_key"),
    ("avatar_max_bytes", "storage.avatar_max_bytes"),
    ("attachment_max_bytes", "storage.attachment_max_bytes"),
    ("upload_url_ttl_secs", "storage.upload_url_ttl_secs"),
    ("download_url_ttl_secs", "storage.download_url_ttl_secs"),
    ("upload_quota_bytes", "storage.upload_quota_bytes"),
    ("upload_sweep_secs", "storage.upload_sweep_secs"),
    ("upload_grace_secs", "storage.upload_grace_secs"),
    ("smtp_url", "mail.smtp_url"),
    ("mail_from", "mail.from"),
    ("write_writers", "write.writers"),
    ("write_queue", "write.queue"),
    ("write_batch_max", "write.batch_max"),
];

/// The key path of the setting whose flat name is `flat` (any case); `None`: not a setting.
pub(super) fn path_of(flat: &str) -> Option<&'static str> {
    GENERAL
        .iter()
        .find(|name| name.eq_ignore_ascii_case(flat))
        .copied()
        .or_else(|| {
            SECTIONED
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(flat))
                .map(|(_, path)| *path)
        })
}

/// The flat name of the setting at `path` (`ws.queue` → `ws_queue`).
pub(super) fn flat_of(path: &str) -> Option<&'static str> {
    GENERAL
        .iter()
        .find(|name| **name == path)
        .copied()
        .or_else(|| {
            SECTIONED
                .iter()
                .find(|(_, at)| *at == path)
                .map(|(name, _)| *name)
        })
}

/// The `CHAT_*` variables that are settings, each at its key path.
pub(super) struct EnvVars;

impl Provider for EnvVars {
    fn metadata(&self) -> Metadata {
        Metadata::named("`CHAT_` environment variable(s)").interpolater(|_: &Profile, path| {
            let path = path.join(".");
            let name = flat_of(&path).unwrap_or(&path).to_ascii_uppercase();
            format!("CHAT_{name}")
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Env::prefixed("CHAT_")
            .filter_map(|key| path_of(key.as_str()).map(Uncased::from))
            .data()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{GENERAL, SECTIONED, flat_of, path_of};
    use crate::settings::{
        LimitsSection, MailSection, Settings, StorageSection, WriteSection, WsSection,
    };
    use serde::Deserialize;
    use serde::de::{self, Deserializer, Visitor};

    /// The field names serde knows for `T`, read from its derived `Deserialize`.
    fn fields<'de, T: Deserialize<'de>>() -> Vec<&'static str> {
        struct Fields(Vec<&'static str>);
        #[derive(Debug)]
        struct Stop;
        impl std::fmt::Display for Stop {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("stop")
            }
        }
        impl std::error::Error for Stop {}
        impl de::Error for Stop {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Stop
            }
        }
        impl<'de> Deserializer<'de> for &mut Fields {
            type Error = Stop;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
                Err(Stop)
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Stop> {
                self.0.extend_from_slice(fields);
                Err(Stop)
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut found = Fields(Vec::new());
        let _ = T::deserialize(&mut found);
        found.0
    }

    /// Every setting has exactly one variable, and every variable is a setting.
    #[test]
    fn the_variables_are_exactly_the_settings() {
        let sections = ["ws", "limits", "storage", "mail", "write"];
        let mut expected: Vec<String> = fields::<Settings>()
            .into_iter()
            .filter(|field| !sections.contains(field))
            .map(str::to_owned)
            .collect();
        let of = |section: &str, names: Vec<&str>| -> Vec<String> {
            names
                .iter()
                .map(|name| format!("{section}.{name}"))
                .collect()
        };
        expected.extend(of("ws", fields::<WsSection>()));
        expected.extend(of("limits", fields::<LimitsSection>()));
        expected.extend(of("storage", fields::<StorageSection>()));
        expected.extend(of("mail", fields::<MailSection>()));
        expected.extend(of("write", fields::<WriteSection>()));
        let mut mapped: Vec<String> = GENERAL.iter().map(|name| (*name).to_owned()).collect();
        mapped.extend(SECTIONED.iter().map(|(_, path)| (*path).to_owned()));
        expected.sort();
        mapped.sort();
        assert_eq!(mapped, expected);
    }

    #[test]
    fn flat_names_map_to_paths_and_back() {
        assert_eq!(path_of("WS_QUEUE"), Some("ws.queue"));
        assert_eq!(path_of("limit_send"), Some("limits.send"));
        assert_eq!(path_of("MAIL_FROM"), Some("mail.from"));
        assert_eq!(path_of("storage_dir"), Some("storage.dir"));
        assert_eq!(path_of("PORT"), Some("port"));
        assert_eq!(path_of("SKIP_WEB_BUILD"), None);
        assert_eq!(path_of("CONFIG"), None);
        for (flat, path) in SECTIONED {
            assert_eq!(flat_of(path), Some(*flat));
        }
    }
}
