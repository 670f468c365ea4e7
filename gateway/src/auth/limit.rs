//! Failed-authorization limit per peer address, so a local process cannot guess tokens at speed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failed authorizations per peer in a fixed window.
pub struct FailLimiter {
    limit: u32,
    window: Duration,
    peers: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Beyond this many tracked peers, expired windows are swept on the next failure.
const SWEEP_AT: usize = 4096;

impl FailLimiter {
    /// At most `limit` failures per `window` per peer.
    pub fn new(limit: u32, window: Duration) -> FailLimiter {
        FailLimiter { limit, window, peers: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after_ms)` when the peer used up its failures for this window.
    pub fn check(&self, peer: Option<IpAddr>) -> Result<(), u64> {
        let Some(peer) = peer else { return Ok(()) };
        let peers = self.peers.lock().unwrap_or_else(|poison| poison.into_inner());
        match peers.get(&peer) {
            Some((start, count)) if *count >= self.limit && start.elapsed() < self.window => {
                let left = self.window.saturating_sub(start.elapsed());
                Err(u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1))
            }
            _ => Ok(()),
        }
    }

    /// Records a failure.
    pub fn fail(&self, peer: Option<IpAddr>) {
        let Some(peer) = peer else { return };
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_applies_per_peer() {
        let limiter = FailLimiter::new(2, Duration::from_secs(60));
        let one: IpAddr = "127.0.0.1".parse().unwrap();
        let two: IpAddr = "127.0.0.2".parse().unwrap();
        limiter.fail(Some(one));
        assert!(limiter.check(Some(one)).is_ok());
        limiter.fail(Some(one));
        assert!(limiter.check(Some(one)).unwrap_err() > 0);
        assert!(limiter.check(Some(two)).is_ok());
    }
}
