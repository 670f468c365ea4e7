//! Linked terminals by token, and the WebSocket clients that follow each terminal's events.
//!
//! A [`Hub`] exists per token id while a terminal is linked or a client follows it. It holds at most one live
//! [`Link`]; a second terminal with the same token is refused unless the first stopped answering heartbeats, in
//! which case it is replaced.

mod link;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metaapi_protocol::link::GatewayMessage;
use metaapi_protocol::methods::streaming::StreamSpec;
use metaapi_protocol::notifications::GapReason;

pub use link::{Answer, Deadlines, LateReply, Link, next_request_id};

use crate::streams::{Event, ReportedStatus, Subscriber, status_event};

/// Everything about one token's terminal.
pub struct Hub {
    link: Mutex<Option<Arc<Link>>>,
    sessions: Mutex<HashMap<u64, Arc<Subscriber>>>,
    interest: Mutex<Demand>,
    last_event_seq: AtomicU64,
    /// The program's last `terminal_status`, for the notices of the link going up.
    reported: ReportedStatus,
}

/// Why a terminal could not be attached.
#[derive(Debug, PartialEq, Eq)]
pub enum AttachError {
    /// Another live terminal holds the token.
    Conflict,
}

impl Hub {
    fn new() -> Hub {
        Hub {
            link: Mutex::new(None),
            sessions: Mutex::new(HashMap::new()),
            interest: Mutex::new(Demand::default()),
            last_event_seq: AtomicU64::new(0),
            reported: ReportedStatus::default(),
        }
    }

    /// The live link, if any.
    pub fn link(&self) -> Option<Arc<Link>> {
        self.link.lock().unwrap_or_else(|poison| poison.into_inner()).clone().filter(|link| !link.closed.is_cancelled())
    }

    fn sessions(&self) -> Vec<Arc<Subscriber>> {
        self.sessions.lock().unwrap_or_else(|poison| poison.into_inner()).values().cloned().collect()
    }

    /// Whether any WebSocket client of this token is connected.
    pub fn has_sessions(&self) -> bool {
        !self.sessions.lock().unwrap_or_else(|poison| poison.into_inner()).is_empty()
    }

    /// Sends an event to every session subscribed to its stream.
    pub fn publish(&self, event: &Event) {
        self.reported.record(event);
        // Under the lock rather than over a copied list: at 10,000 ticks/s to 100 clients the copies were a million
        // reference-count round trips a second. Lock order: sessions, then a session's subscriptions, then its
        // outbox, as everywhere else.
        for session in self.sessions.lock().unwrap_or_else(|poison| poison.into_inner()).values() {
            session.deliver(event);
        }
    }

    /// Checks the bridge's event sequence; a jump means the bridge dropped events, which subscribers are told.
    pub fn check_sequence(&self, seq: u64) {
        let last = self.last_event_seq.swap(seq, Ordering::AcqRel);
        if last != 0 && seq > last + 1 {
            for session in self.sessions() {
                session.outbox.gap(seq - last - 1, GapReason::TerminalOverflow);
            }
        }
    }

    /// Recomputes the token's demand (every stream its clients subscribed to) and tells the terminal when it
    /// changed: the bridge filters market events by its symbols and the EA serves its streams.
    pub fn refresh_interest(&self) {
        let wanted = Demand::of(self.sessions().iter().flat_map(|session| session.streams()));
        let mut interest = self.interest.lock().unwrap_or_else(|poison| poison.into_inner());
        if *interest != wanted {
            interest.clone_from(&wanted);
            drop(interest);
            if let Some(link) = self.link() {
                link.send(wanted.message());
            }
        }
    }

    fn current_interest(&self) -> Demand {
        self.interest.lock().unwrap_or_else(|poison| poison.into_inner()).clone()
    }
}

/// The aggregate demand of a token's clients: distinct streams, ordered by their JSON text so that equal demands
/// compare equal and the terminal sees a stable list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Demand {
    streams: BTreeMap<String, StreamSpec>,
}

impl Demand {
    fn of(streams: impl Iterator<Item = StreamSpec>) -> Demand {
        let streams = streams
            .map(|stream| (serde_json::to_string(&stream).unwrap_or_default(), stream))
            .collect::<BTreeMap<_, _>>();
        Demand { streams }
    }

    fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    fn message(&self) -> GatewayMessage {
        let symbols: BTreeSet<String> =
            self.streams.values().filter_map(|stream| stream.symbol().map(str::to_owned)).collect();
        GatewayMessage::Interest {
            symbols: symbols.into_iter().collect(),
            streams: self.streams.values().cloned().collect(),
        }
    }
}

/// All hubs of this gateway: the terminals linked now and the clients following them, by token.
pub struct Terminals {
    hubs: Mutex<HashMap<String, Arc<Hub>>>,
    generation: AtomicU64,
    online: AtomicU64,
    heartbeat_timeout: Duration,
}

impl Terminals {
    /// No hubs yet; links silent for `heartbeat_timeout` may be replaced.
    pub fn new(heartbeat_timeout: Duration) -> Terminals {
        Terminals {
            hubs: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(1),
            online: AtomicU64::new(0),
            heartbeat_timeout,
        }
    }

    fn hubs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Hub>>> {
        self.hubs.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// The hub of `token_id`, created when missing.
    pub fn hub(&self, token_id: &str) -> Arc<Hub> {
        self.hubs().entry(token_id.to_owned()).or_insert_with(|| Arc::new(Hub::new())).clone()
    }

    /// The live link of `token_id`.
    pub fn link(&self, token_id: &str) -> Option<Arc<Link>> {
        let hub = self.hubs().get(token_id).cloned();
        hub.and_then(|hub| hub.link())
    }

    /// A fresh link generation number.
    pub fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed)
    }

    /// Whether a live terminal that still answers heartbeats holds `token_id`.
    pub fn is_held(&self, token_id: &str) -> bool {
        self.link(token_id).is_some_and(|link| link.silence() < self.heartbeat_timeout)
    }

    /// Attaches a link, replacing one that stopped answering heartbeats.
    pub fn attach(&self, link: Arc<Link>) -> Result<(), AttachError> {
        // The map stays locked while the link is set, so a concurrent prune cannot orphan this hub.
        let hubs = self.hubs();
        let hub = hubs.get(&link.token_id).cloned().unwrap_or_else(|| Arc::new(Hub::new()));
        {
            let mut slot = hub.link.lock().unwrap_or_else(|poison| poison.into_inner());
            if let Some(existing) = slot.as_ref().filter(|existing| !existing.closed.is_cancelled()) {
                if existing.silence() < self.heartbeat_timeout {
                    return Err(AttachError::Conflict);
                }
                tracing::warn!(token_id = %link.token_id, "replacing a terminal link that stopped answering");
                existing.closed.cancel();
            } else {
                self.online.fetch_add(1, Ordering::Relaxed);
            }
            *slot = Some(link.clone());
        }
        let mut hubs = hubs;
        hubs.entry(link.token_id.clone()).or_insert_with(|| hub.clone());
        drop(hubs);
        let interest = hub.current_interest();
        if !interest.is_empty() {
            link.send(interest.message());
        }
        hub.publish(&status_event(true, &hub.reported));
        Ok(())
    }

    /// Detaches a link that ended; a no-op when it was already replaced.
    pub fn detach(&self, link: &Arc<Link>) {
        let hub = self.hub(&link.token_id);
        let was_current = {
            let mut slot = hub.link.lock().unwrap_or_else(|poison| poison.into_inner());
            if slot.as_ref().is_some_and(|current| Arc::ptr_eq(current, link)) {
                *slot = None;
                true
            } else {
                false
            }
        };
        if was_current {
            self.online.fetch_sub(1, Ordering::Relaxed);
            hub.publish(&status_event(false, &hub.reported));
        }
        self.prune(&link.token_id);
    }

    /// Registers a WebSocket client under `token_id`.
    pub fn join(&self, token_id: &str, session: Arc<Subscriber>) {
        let mut hubs = self.hubs();
        let hub = hubs.entry(token_id.to_owned()).or_insert_with(|| Arc::new(Hub::new()));
        hub.sessions.lock().unwrap_or_else(|poison| poison.into_inner()).insert(session.id, session);
    }

    /// Removes a WebSocket client.
    pub fn leave(&self, token_id: &str, session_id: u64) {
        let hub = self.hub(token_id);
        hub.sessions.lock().unwrap_or_else(|poison| poison.into_inner()).remove(&session_id);
        hub.refresh_interest();
        self.prune(token_id);
    }

    fn prune(&self, token_id: &str) {
        let mut hubs = self.hubs();
        let empty = hubs.get(token_id).is_some_and(|hub| {
            hub.link.lock().unwrap_or_else(|poison| poison.into_inner()).is_none()
                && hub.sessions.lock().unwrap_or_else(|poison| poison.into_inner()).is_empty()
        });
        if empty {
            hubs.remove(token_id);
        }
    }

    /// Terminals linked now.
    pub fn online(&self) -> u64 {
        self.online.load(Ordering::Relaxed)
    }

    /// Every live link, for shutdown.
    pub fn links(&self) -> Vec<Arc<Link>> {
        self.hubs().values().filter_map(|hub| hub.link()).collect()
    }
}
