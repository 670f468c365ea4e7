//! Write coalescing for busy WebSocket clients: a shared tick every [`PACE`] that their writers wait for.
//!
//! On loopback, the kernel's work per `send` (including the receiver's side of TCP, which runs in the sender's
//! context) dominated the bench's fan-out profile: 10,000 events/s to 100 subscribers is a million sends a second
//! when each event goes out on its own. A writer whose client receives a steady stream instead waits for the next
//! tick and sends everything that arrived meanwhile in one write, so each client costs at most one send per tick
//! and an event waits at most one tick. tokio's timers have a 1 ms resolution, too coarse for this, so the tick
//! comes from a small thread that sleeps while no writer is paced.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::Thread;
use std::time::Duration;

use tokio::sync::Notify;

/// The longest a paced write waits.
pub const PACE: Duration = Duration::from_micros(250);

/// A writer whose sends come closer together than this is paced.
pub const PACE_BELOW: Duration = Duration::from_micros(500);

/// The process-wide tick.
pub struct Pacer {
    tick: Notify,
    waiting: AtomicUsize,
    thread: OnceLock<Option<Thread>>,
}

impl Pacer {
    /// The shared pacer; its thread starts with the first paced write.
    pub fn shared() -> Arc<Pacer> {
        static SHARED: OnceLock<Arc<Pacer>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                Arc::new(Pacer { tick: Notify::new(), waiting: AtomicUsize::new(0), thread: OnceLock::new() })
            })
            .clone()
    }

    /// Waits for the next tick (at once if the tick thread could not be started).
    pub async fn tick(self: &Arc<Self>) {
        let Some(thread) = self.thread() else { return };
        let tick = self.tick.notified();
        tokio::pin!(tick);
        // Registered before the count goes up, so a tick between the two is not missed.
        tick.as_mut().enable();
        let _waiting = Waiting::new(self);
        thread.unpark();
        tick.await;
    }

    fn thread(self: &Arc<Self>) -> Option<&Thread> {
        self.thread
            .get_or_init(|| {
                let pacer = Arc::clone(self);
                match std::thread::Builder::new().name("metaapi-pacer".into()).spawn(move || pacer.run()) {
                    Ok(handle) => Some(handle.thread().clone()),
                    Err(error) => {
                        tracing::warn!(%error, "no pacer thread: busy WebSocket clients get one send per event");
                        None
                    }
                }
            })
            .as_ref()
    }

    fn run(&self) {
        loop {
            if self.waiting.load(Ordering::Acquire) == 0 {
                std::thread::park();
                continue;
            }
            std::thread::sleep(PACE);
            self.tick.notify_waiters();
        }
    }
}

/// Counts a waiting writer for as long as it waits.
struct Waiting<'a>(&'a Pacer);

impl<'a> Waiting<'a> {
    fn new(pacer: &'a Pacer) -> Waiting<'a> {
        pacer.waiting.fetch_add(1, Ordering::AcqRel);
        Waiting(pacer)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_waiter_is_released_by_the_tick() {
        let pacer = Pacer::shared();
        let waiters: Vec<_> = (0..8)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move { pacer.tick().await })
            })
            .collect();
        for waiter in waiters {
            tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("a tick came").unwrap();
        }
        // Nobody waits any more, so the thread goes back to sleep.
        assert_eq!(pacer.waiting.load(Ordering::Acquire), 0);
    }
}
