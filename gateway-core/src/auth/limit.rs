//! Failed-authorization limit per peer address, so a local process cannot guess tokens at speed.
//!
//! On loopback every program shares 127.0.0.1, so the limit must never lock out a valid token because another program
//! keeps failing. A peer over the limit is slowed, not shut out: each further failure is answered only after a delay,
//! and only tokens the console already refused for good (and requests without a token) are refused with 429 without
//! asking it again. A token the gateway has not seen refused is always verified.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failed authorizations per peer in a fixed window.
pub struct FailLimiter {
    limit: u32,
    window: Duration,
    delay: Duration,
    peers: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Beyond this many tracked peers, expired windows are swept on the next failure.
const SWEEP_AT: usize = 4096;

impl FailLimiter {
    /// `limit` failures per `window` per peer pass as they are; each one beyond is answered after `delay`.
    pub fn new(limit: u32, window: Duration, delay: Duration) -> FailLimiter {
        FailLimiter { limit, window, delay, peers: Mutex::new(HashMap::new()) }
    }

    /// When the peer is over its limit, how long until its window ends (at least a millisecond).
    pub fn over_limit(&self, peer: Option<IpAddr>) -> Option<Duration> {
        let peer = peer?;
        let peers = self.peers.lock().unwrap_or_else(|poison| poison.into_inner());
        match peers.get(&peer) {
            Some((start, count)) if *count >= self.limit && start.elapsed() < self.window => {
                Some(self.window.saturating_sub(start.elapsed()).max(Duration::from_millis(1)))
            }
            _ => None,
        }
    }

    /// Records a failure; returns how long to hold its answer back when the peer is over its limit.
    pub fn fail(&self, peer: Option<IpAddr>) -> Option<Duration> {
        let peer = peer?;
        let mut peers = self.peers.lock().unwrap_or_else(|poison| poison.into_inner());
        if peers.len() >= SWEEP_AT {
            let window = self.window;
            peers.retain(|_, (start, _)| start.elapsed() < window);
        }
        let entry = peers.entry(peer).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
        (entry.1 > self.limit && !self.delay.is_zero()).then_some(self.delay)
    }
}

/// Whole seconds for a `Retry-After` header: rounded up, at least one.
pub fn retry_after_secs(retry_after_ms: u64) -> u64 {
    retry_after_ms.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_applies_per_peer_and_delays_failures_beyond_it() {
        let limiter = FailLimiter::new(2, Duration::from_secs(60), Duration::from_millis(250));
        let one: IpAddr = "127.0.0.1".parse().unwrap();
        let two: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(limiter.fail(Some(one)), None);
        assert!(limiter.over_limit(Some(one)).is_none());
        assert_eq!(limiter.fail(Some(one)), None);
        assert!(limiter.over_limit(Some(one)).unwrap() > Duration::ZERO);
        assert_eq!(limiter.fail(Some(one)), Some(Duration::from_millis(250)));
        assert!(limiter.over_limit(Some(two)).is_none());
        assert!(limiter.over_limit(None).is_none());
        assert_eq!(limiter.fail(None), None);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(1), 1);
        assert_eq!(retry_after_secs(1000), 1);
        assert_eq!(retry_after_secs(1001), 2);
        assert_eq!(retry_after_secs(0), 1);
    }
}
