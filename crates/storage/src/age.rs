//! Time arithmetic that cannot overflow, for windows that come from settings.
use chrono::{DateTime, Utc};
use std::time::Duration;

/// `span` before `time`; the beginning of time when that is further back than can be told.
pub fn ago(time: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| time.checked_sub_signed(span))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_too_long_to_tell_reaches_the_beginning_of_time() {
        assert_eq!(ago(Utc::now(), Duration::MAX), DateTime::<Utc>::MIN_UTC);
        let now = Utc::now();
        assert_eq!(
            ago(now, Duration::from_secs(60)),
            now - chrono::Duration::seconds(60)
        );
    }
}
