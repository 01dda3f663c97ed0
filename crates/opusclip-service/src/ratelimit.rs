//! Rate limits per API key and per client address, in two budgets: creating work (jobs,
//! renders, uploads; 60 a minute by default, as specified) and reading (status, events,
//! manifests, downloads; high enough for polling pages and the load test). The `governor`
//! crate's keyed GCRA limiters: a budget of N a minute lets N through at once and one more every
//! 60/N seconds; a request needs room in both its key's and its address's allowance.

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Which budget a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    Create,
    Read,
}

impl Budget {
    pub fn as_str(self) -> &'static str {
        match self {
            Budget::Create => "create",
            Budget::Read => "read",
        }
    }
}

/// Allowances beyond this many are pruned of the ones back at full (they hold no information).
const MAX_TRACKED: usize = 100_000;

type Keyed<C> = governor::RateLimiter<String, DefaultKeyedStateStore<String>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The limiter shared by every request.
pub struct RateLimiter<C: Clock = DefaultClock> {
    create: Keyed<C>,
    read: Keyed<C>,
    clock: C,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub fn new(create_per_minute: u32, read_per_minute: u32) -> Self {
        Self::with_clock(create_per_minute, read_per_minute, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    fn with_clock(create_per_minute: u32, read_per_minute: u32, clock: C) -> Self {
        let quota = |per_minute: u32| Quota::per_minute(NonZeroU32::new(per_minute.max(1)).expect("at least 1"));
        RateLimiter {
            create: governor::RateLimiter::hashmap_with_clock(quota(create_per_minute), clock.clone()),
            read: governor::RateLimiter::hashmap_with_clock(quota(read_per_minute), clock.clone()),
            clock,
        }
    }

    /// Spend one request of `budget` from the address's and then the key's allowance, or refuse
    /// with `429` naming which ran out and when to retry.
    pub fn check(&self, budget: Budget, key_id: &str, address: IpAddr) -> Result<(), ApiError> {
        let limiter = match budget {
            Budget::Create => &self.create,
            Budget::Read => &self.read,
        };
        if limiter.len() > MAX_TRACKED {
            limiter.retain_recent();
        }
        for (subject, label) in [(format!("ip:{address}"), "client address"), (format!("key:{key_id}"), "API key")] {
            if let Err(not_until) = limiter.check_key(&subject) {
                let wait = not_until.wait_time_from(self.clock.now()).as_secs_f64().ceil().max(1.0) as u64;
                return Err(ApiError::rate_limited(budget.as_str(), label, wait));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use std::time::Duration;

    #[test]
    fn a_budget_allows_its_size_then_refuses_then_refills() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(3, 1000, clock.clone());
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..3 {
            limiter.check(Budget::Create, "k1", ip).expect("within budget");
        }
        let refused = limiter.check(Budget::Create, "k1", ip).unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (429, "RATE_LIMITED"));
        assert_eq!(refused.retry_after, Some(20), "3 a minute refill one every 20 s");
        assert!(limiter.check(Budget::Read, "k1", ip).is_ok(), "reads have their own budget");
        clock.advance(Duration::from_secs(21));
        assert!(limiter.check(Budget::Create, "k1", ip).is_ok());
    }

    #[test]
    fn the_address_budget_holds_across_keys() {
        let limiter = RateLimiter::with_clock(2, 1000, FakeRelativeClock::default());
        let ip: IpAddr = "203.0.113.10".parse().unwrap();
        limiter.check(Budget::Create, "a", ip).unwrap();
        limiter.check(Budget::Create, "b", ip).unwrap();
        let refused = limiter.check(Budget::Create, "c", ip).unwrap_err();
        assert_eq!(refused.details["limited_by"], "client address");
        let other_ip: IpAddr = "203.0.113.11".parse().unwrap();
        assert!(limiter.check(Budget::Create, "c", other_ip).is_ok(), "c's own allowance was not spent by the refusal");
    }

    #[test]
    fn a_key_is_limited_from_any_address() {
        let limiter = RateLimiter::with_clock(2, 1000, FakeRelativeClock::default());
        for address in ["203.0.113.20", "203.0.113.21"] {
            limiter.check(Budget::Create, "k", address.parse().unwrap()).unwrap();
        }
        let refused = limiter.check(Budget::Create, "k", "203.0.113.22".parse().unwrap()).unwrap_err();
        assert_eq!(refused.details["limited_by"], "API key");
    }
}
