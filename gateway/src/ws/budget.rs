//! The per-socket send rate limit: a GCRA limiter from governor (a token bucket in effect), one
//! per socket, so a socket's sends never contend with another's.
use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

pub struct SendBudget {
    /// `None`: unlimited (request-rate limits are off).
    limiter: Option<RateLimiter<NotKeyed, InMemoryState, DefaultClock>>,
}

impl SendBudget {
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

    /// Takes one send; `false` when the budget is spent.
    pub fn take(&mut self) -> bool {
        self.limiter
            .as_ref()
            .is_none_or(|limiter| limiter.check().is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_nothing_until_time_passes() {
        let mut budget = SendBudget::new(1.0, 3.0);
        assert_eq!((0..5).filter(|_| budget.take()).count(), 3);
        let mut unlimited = SendBudget::new(0.0, 1.0);
        assert!((0..1000).all(|_| unlimited.take()));
    }
}
