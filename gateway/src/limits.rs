//! Request-rate limits (API.md §6), per client address or per user: registrations, logins and
//! captcha sends per address; friend requests, room creations, HTTP message sends and upload presigns per user.
//! Each rule is a setting (`limit_<name> = "<count>/<window>"`, e.g. `"10/1h"`). Counted in the
//! ephemeral store (Redis when configured), so every gateway behind the load balancer shares
//! them. `rate_limits = off` turns them off (load tests); the security limits (captcha tries,
//! login failures) live in the user module and always hold.
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::settings::LimitsSection;
use std::sync::Arc;
use std::time::Duration;
use user::EphemeralStore;

#[derive(Clone, Copy, Debug)]
pub enum Limit {
    /// Per client address.
    Register,
    /// Per client address (failures are also throttled per username, always).
    Login,
    /// Per client address: codes mailed for registration, profile updates and resets.
    Captcha,
    /// Per user.
    FriendRequest,
    /// Per user, over HTTP (a socket has its own budget).
    HttpSend,
    /// Per user.
    Presign,
    /// Per user: groups and direct rooms created.
    RoomCreate,
}

/// At most `max` requests per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub max: u64,
    pub window: Duration,
}

impl Rule {
    /// `"<count>/<window>"` with the window in `s`, `m`, `h` or `d` (`"10/1h"`, `"20/1s"`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("{raw:?} is not <count>/<window> such as \"10/1h\"");
        let (count, window) = raw.trim().split_once('/').ok_or_else(bad)?;
        let max: u64 = count.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let split = window
            .char_indices()
            .last()
            .map(|(at, _)| at)
            .ok_or_else(bad)?;
        let (amount, unit) = window.split_at(split);
        let amount: u64 = if amount.is_empty() {
            1
        } else {
            amount.parse().map_err(|_| bad())?
        };
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        if max == 0 || amount == 0 {
            return Err(bad());
        }
        Ok(Self {
            max,
            window: Duration::from_secs(amount.saturating_mul(seconds)),
        })
    }
}

/// One rule per limit, read from the settings.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    register: Rule,
    login: Rule,
    captcha: Rule,
    friend_request: Rule,
    http_send: Rule,
    presign: Rule,
    room_create: Rule,
}

impl Rules {
    /// Each rule from its `[limits]` key; a malformed one is an error naming the key and its
    /// variable (`limits.send (CHAT_LIMIT_SEND)`).
    pub fn from_settings(limits: &LimitsSection) -> Result<Self, String> {
        let rule = |name: &str, raw: &str| {
            Rule::parse(raw).map_err(|e| {
                let variable = format!("CHAT_LIMIT_{}", name.to_ascii_uppercase());
                format!("limits.{name} ({variable}): {e}")
            })
        };
        Ok(Self {
            register: rule("register", &limits.register)?,
            login: rule("login", &limits.login)?,
            captcha: rule("captcha", &limits.captcha)?,
            friend_request: rule("friend_request", &limits.friend_request)?,
            http_send: rule("send", &limits.send)?,
            presign: rule("presign", &limits.presign)?,
            room_create: rule("room_create", &limits.room_create)?,
        })
    }

    fn of(&self, limit: Limit) -> (&'static str, Rule) {
        match limit {
            Limit::Register => ("register", self.register),
            Limit::Login => ("login", self.login),
            Limit::Captcha => ("captcha", self.captcha),
            Limit::FriendRequest => ("friend_request", self.friend_request),
            Limit::HttpSend => ("send", self.http_send),
            Limit::Presign => ("presign", self.presign),
            Limit::RoomCreate => ("room_create", self.room_create),
        }
    }
}

pub struct RateLimits {
    store: Arc<dyn EphemeralStore>,
    enabled: bool,
    rules: Rules,
}

impl RateLimits {
    pub fn new(store: Arc<dyn EphemeralStore>, enabled: bool, rules: Rules) -> Self {
        Self {
            store,
            enabled,
            rules,
        }
    }

    /// Whether request-rate limits are on (`rate_limits`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Counts one request of `who` against `limit`; 429 with `Retry-After` beyond it.
    pub async fn check(&self, limit: Limit, who: &str) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let (name, rule) = self.rules.of(limit);
        let key = format!("rate:{name}:{who}");
        // These protect capacity, not accounts: when the store is down they let requests through.
        let count = match self.store.increment(&key, rule.window).await {
            Ok(count) => count,
            Err(err) => {
                tracing::warn!(%err, "rate limiter unavailable; not limiting");
                return Ok(());
            }
        };
        if count <= rule.max {
            return Ok(());
        }
        let remaining = self
            .store
            .ttl(&key)
            .await
            .ok()
            .flatten()
            .unwrap_or(rule.window);
        Err(ApiError::too_many(
            ErrorCode::RateLimited,
            "Too many requests; slow down",
            remaining.as_secs_f64().ceil().max(1.0) as u64,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_like_they_are_written() {
        let rule = |max, secs| {
            Ok(Rule {
                max,
                window: Duration::from_secs(secs),
            })
        };
        assert_eq!(Rule::parse("10/1h"), rule(10, 3600));
        assert_eq!(Rule::parse(" 20 / 1s "), rule(20, 1));
        assert_eq!(Rule::parse("30/m"), rule(30, 60));
        assert_eq!(Rule::parse("5/2d"), rule(5, 172_800));
        for bad in [
            "", "10", "10/", "x/1h", "10/1w", "0/1h", "10/0s", "-1/1h", "10/h1",
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
    }
}
