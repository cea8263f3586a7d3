//! The per-socket send rate limit.
use std::time::Instant;

/// A token bucket for `sendMessage`.
pub struct SendBudget {
    tokens: f64,
    per_sec: f64,
    burst: f64,
    last: Instant,
}

impl SendBudget {
    pub fn new(per_sec: f64, burst: f64) -> Self {
        Self {
            tokens: burst,
            per_sec,
            burst,
            last: Instant::now(),
        }
    }

    /// Takes one send; `false` when the budget is spent. A rate of 0 means unlimited.
    pub fn take(&mut self) -> bool {
        if self.per_sec <= 0.0 {
            return true;
        }
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_sec;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
