//! Per-socket frame budgets: GCRA limiters from governor (token buckets in effect), one set per
//! socket, so a socket's frames never contend with another's. Sends, joins (each may replay
//! history) and every other frame kind each have their own.
use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

pub struct Budget {
    /// `None`: unlimited (request-rate limits are off).
    limiter: Option<RateLimiter<NotKeyed, InMemoryState, DefaultClock>>,
}

impl Budget {
    /// `per_sec` sends a second on average, up to `burst` at once; a rate of 0 means unlimited.
    pub fn new(per_sec: f64, burst: f64) -> Self {
        let period =
            (per_sec > 0.0 && per_sec.is_finite()).then(|| Duration::from_secs_f64(1.0 / per_sec));
        let burst = NonZeroU32::new(burst.clamp(1.0, f64::from(u32::MAX)) as u32)
            .unwrap_or(NonZeroU32::MIN);
        let limiter = period
            .and_then(Quota::with_period)
            .map(|quota| RateLimiter::direct(quota.allow_burst(burst)));
        Self { limiter }
    }

    /// Takes one frame's worth; `false` when the budget is spent.
    pub fn take(&mut self) -> bool {
        self.limiter
            .as_ref()
            .is_none_or(|limiter| limiter.check().is_ok())
    }
}

/// The budgets of one socket.
pub struct FrameBudgets {
    pub sends: Budget,
    pub joins: Budget,
    pub others: Budget,
}

impl FrameBudgets {
    /// `(per second, burst)` each; `limited: false` (request-rate limits off) lifts them all.
    pub fn new(sends: (f64, f64), joins: (f64, f64), others: (f64, f64), limited: bool) -> Self {
        let budget = |(per_sec, burst): (f64, f64)| match limited {
            true => Budget::new(per_sec, burst),
            false => Budget::new(0.0, burst),
        };
        Self {
            sends: budget(sends),
            joins: budget(joins),
            others: budget(others),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_nothing_until_time_passes() {
        let mut budget = Budget::new(1.0, 3.0);
        assert_eq!((0..5).filter(|_| budget.take()).count(), 3);
        let mut unlimited = Budget::new(0.0, 1.0);
        assert!((0..1000).all(|_| unlimited.take()));
    }
}
