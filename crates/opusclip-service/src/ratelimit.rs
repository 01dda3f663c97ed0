//! Rate limits per API key and per client address, in two budgets: creating work (jobs,
//! renders, uploads; 60 a minute by default, as specified) and reading (status, events,
//! manifests, downloads; high enough for polling pages and the load test). Token buckets: a
//! budget of N a minute holds N tokens and refills N/60 a second; a request needs a token from
//! both its key's and its address's bucket.

use crate::error::ApiError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets beyond this many are pruned (full ones first: they hold no information).
const MAX_BUCKETS: usize = 100_000;

/// The limiter shared by every request.
#[derive(Debug)]
pub struct RateLimiter {
    create_per_minute: f64,
    read_per_minute: f64,
    buckets: Mutex<HashMap<(Budget, String), Bucket>>,
}

impl RateLimiter {
    pub fn new(create_per_minute: u32, read_per_minute: u32) -> Self {
        RateLimiter {
            create_per_minute: f64::from(create_per_minute.max(1)),
            read_per_minute: f64::from(read_per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn capacity(&self, budget: Budget) -> f64 {
        match budget {
            Budget::Create => self.create_per_minute,
            Budget::Read => self.read_per_minute,
        }
    }

    /// Spend one token of `budget` from both the key's and the address's bucket, or refuse with
    /// `429` naming which ran out and when to retry.
    pub fn check(&self, budget: Budget, key_id: &str, address: IpAddr) -> Result<(), ApiError> {
        self.check_at(budget, key_id, address, Instant::now())
    }

    fn check_at(&self, budget: Budget, key_id: &str, address: IpAddr, now: Instant) -> Result<(), ApiError> {
        let capacity = self.capacity(budget);
        let per_second = capacity / 60.0;
        let subjects = [(format!("key:{key_id}"), "API key"), (format!("ip:{address}"), "client address")];
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > MAX_BUCKETS {
            buckets.retain(|(b, _), bucket| {
                let cap = self.capacity(*b);
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * cap / 60.0 < cap
            });
        }
        for (subject, label) in &subjects {
            let bucket = buckets.entry((budget, subject.clone())).or_insert(Bucket { tokens: capacity, updated: now });
            let refilled =
                (bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * per_second).min(capacity);
            bucket.tokens = refilled;
            bucket.updated = now;
            if refilled < 1.0 {
                let wait = ((1.0 - refilled) / per_second).ceil().max(1.0) as u64;
                return Err(ApiError::rate_limited(budget.as_str(), label, wait));
            }
        }
        for (subject, _) in &subjects {
            if let Some(bucket) = buckets.get_mut(&(budget, subject.clone())) {
                bucket.tokens -= 1.0;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_budget_allows_its_size_then_refuses_then_refills() {
        let limiter = RateLimiter::new(3, 1000);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            limiter.check_at(Budget::Create, "k1", ip, start).expect("within budget");
        }
        let refused = limiter.check_at(Budget::Create, "k1", ip, start).unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (429, "RATE_LIMITED"));
        assert_eq!(refused.retry_after, Some(20), "3 a minute refill one every 20 s");
        assert!(limiter.check_at(Budget::Read, "k1", ip, start).is_ok(), "reads have their own budget");
        assert!(limiter.check_at(Budget::Create, "k1", ip, start + Duration::from_secs(21)).is_ok());
    }

    #[test]
    fn the_address_budget_holds_across_keys() {
        let limiter = RateLimiter::new(2, 1000);
        let ip: IpAddr = "203.0.113.10".parse().unwrap();
        let now = Instant::now();
        limiter.check_at(Budget::Create, "a", ip, now).unwrap();
        limiter.check_at(Budget::Create, "b", ip, now).unwrap();
        let refused = limiter.check_at(Budget::Create, "c", ip, now).unwrap_err();
        assert_eq!(refused.details["limited_by"], "client address");
        let other_ip: IpAddr = "203.0.113.11".parse().unwrap();
        assert!(limiter.check_at(Budget::Create, "c", other_ip, now).is_ok());
    }
}
