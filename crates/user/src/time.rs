//! Times as the API shows them: UTC, RFC 3339, millisecond precision.
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::Serializer;

/// The current time cut to milliseconds, so what is stored equals what is returned on every backend.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// The current time to the microsecond, for times that order events.
pub fn now_precise() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// `serialize_with` helper: `2026-11-26T04:49:27.123Z`.
pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Millis, true))
}
