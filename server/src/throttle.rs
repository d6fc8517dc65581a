//! Sign-in throttling, by client address and by user ID: a burst of guesses is answered 429
//! before any password is hashed. The account lock (five failures, 20 minutes) stops guessing
//! at one account; this stops one client trying many, and many clients trying one.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Attempts a minute from one address: generous enough for an office behind one NAT.
pub const PER_ADDRESS_PER_MINUTE: u32 = 60;
/// Attempts a minute at one user ID, from anywhere.
pub const PER_USER_PER_MINUTE: u32 = 20;
/// Keys remembered before idle ones are forgotten (a spray of made-up user IDs).
const FORGET_ABOVE: usize = 10_000;

#[derive(Clone)]
pub struct SignInThrottle {
    by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_user: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new(PER_ADDRESS_PER_MINUTE, PER_USER_PER_MINUTE)
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl SignInThrottle {
    pub fn new(per_address: u32, per_user: u32) -> Self {
        Self {
            by_address: Arc::new(RateLimiter::keyed(per_minute(per_address))),
            by_user: Arc::new(RateLimiter::keyed(per_minute(per_user))),
        }
    }

    /// Whether one more attempt from `address` at `user_id` may go ahead now; counts it.
    /// (No address is known when the server runs without connection info, as in some tests.)
    pub fn allow(&self, address: Option<IpAddr>, user_id: &str) -> bool {
        if self.by_user.len() > FORGET_ABOVE {
            self.by_user.retain_recent();
        }
        if self.by_address.len() > FORGET_ABOVE {
            self.by_address.retain_recent();
        }
        let by_address = address.is_none_or(|a| self.by_address.check_key(&a).is_ok());
        by_address && self.by_user.check_key(&user_id.trim().to_lowercase()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_and_each_user_id_has_its_own_allowance() {
        let t = SignInThrottle::new(3, 2);
        let (a, b) = (Some("10.0.0.1".parse().unwrap()), Some("10.0.0.2".parse().unwrap()));
        assert!(t.allow(a, "ann"));
        assert!(t.allow(a, " ANN "));
        assert!(!t.allow(b, "ann"), "a third try at one user ID, from anywhere");
        assert!(t.allow(a, "bob"));
        assert!(!t.allow(a, "cat"), "a fourth try from one address, at any user ID");
        assert!(t.allow(b, "cat"));
    }
}
