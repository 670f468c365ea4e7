//! A session: one EA's link to the gateway, its `Inbox` (queued and claimed requests, reply and event builders) and
//! its `Outbox` of what waits to be sent. Everything here is synchronous; the EA thread and the link task share it
//! through one mutex, the EA sleeps on a condvar in `mtb_wait`, and this module decides whom each change wakes.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use metaapi_protocol::ErrorObject;
use metaapi_protocol::link::{BridgeMessage, DEFAULT_LINK_MAX_MESSAGE_BYTES, Discarded};
use metaapi_protocol::methods::StreamSpec;
use serde_json::{Value, json};

pub use crate::inbox::{DRAFT_CAP, REQUEST_QUEUE_CAP};
pub use crate::outbox::EVENT_QUEUE_CAP;

use crate::config::StartConfig;
use crate::inbox::{self, Inbox, Incoming};
use crate::outbox::{Outbox, symbol_of};
use crate::registry::{self, market_events};
use crate::status::{
    BridgeError, BridgeResult, MTB_READY_DEMAND, MTB_READY_LINK, MTB_READY_REQUEST, MTB_READY_STOPPING,
};

// The clock as every crate reads it; the session's callers import it from here.
pub use metaapi_protocol::time::now_ms;

/// Where the link to the gateway stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Connecting or waiting for the welcome.
    Connecting,
    /// Welcomed; requests flow.
    Linked,
    /// Dropped or unreachable; retrying with backoff.
    Down,
    /// The gateway refused the link (bad token, version); retrying slowly.
    Refused,
    /// `mtb_stop` was called.
    Stopped,
}

impl LinkState {
    fn as_str(self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Linked => "linked",
            LinkState::Down => "down",
            LinkState::Refused => "refused",
            LinkState::Stopped => "stopped",
        }
    }
}

/// Counts beside the request counters kept in the `Inbox`.
#[derive(Default)]
struct Counters {
    events_published: u64,
    events_filtered: u64,
    events_invalid: u64,
    messages_sent: u64,
    /// Replies longer than the link's limit, answered `payload_too_large` instead.
    replies_too_large: u64,
    /// Events longer than the link's limit, dropped.
    events_too_large: u64,
    links: u64,
}

struct State {
    inbox: Inbox,
    outbox: Outbox,
    interest: Option<HashSet<String>>,
    /// The clients' demand as `mtb_demand` hands it out, and whether the EA has not yet been woken for a change.
    demand: String,
    demand_changed: bool,
    link: LinkState,
    link_reason: String,
    link_since: i64,
    gateway_version: String,
    link_changed: bool,
    /// Requests removed when their link dropped, reported in every hello until a welcome acknowledges them.
    discarded: Vec<Discarded>,
    stopping: bool,
    /// EA threads asleep in `mtb_wait`.
    ea_waiting: usize,
    counters: Counters,
}

/// One `mtb_start` .. `mtb_stop` session.
pub struct Session {
    /// The handle the EA holds.
    pub handle: i64,
    /// The start config.
    pub config: StartConfig,
    state: Mutex<State>,
    ready: Condvar,
    /// Wakes the link task when something waits to be sent.
    pub outbound: tokio::sync::Notify,
    /// Tells the link task to stop.
    pub stop_tx: tokio::sync::watch::Sender<bool>,
    heartbeat_ms: AtomicU64,
    max_message_bytes: AtomicU64,
}

impl Session {
    /// A new session, link state `connecting`.
    pub fn new(handle: i64, config: StartConfig) -> Session {
        let state = State {
            inbox: Inbox::default(),
            outbox: Outbox::new(),
            interest: None,
            demand: String::new(),
            demand_changed: false,
            link: LinkState::Connecting,
            link_reason: "starting".into(),
            link_since: now_ms(),
            gateway_version: String::new(),
            link_changed: false,
            discarded: Vec::new(),
            stopping: false,
            ea_waiting: 0,
            counters: Counters::default(),
        };
        Session {
            handle,
            config,
            state: Mutex::new(state),
            ready: Condvar::new(),
            outbound: tokio::sync::Notify::new(),
            stop_tx: tokio::sync::watch::channel(false).0,
            heartbeat_ms: AtomicU64::new(10_000),
            max_message_bytes: AtomicU64::new(DEFAULT_LINK_MAX_MESSAGE_BYTES),
        }
    }

    /// The heartbeat period the gateway asked for in its welcome.
    pub fn heartbeat_ms(&self) -> u64 {
        self.heartbeat_ms.load(Ordering::Relaxed)
    }

    /// Records the heartbeat period from the welcome.
    pub fn set_heartbeat(&self, heartbeat_ms: u64) {
        self.heartbeat_ms.store(heartbeat_ms, Ordering::Relaxed);
    }

    /// The largest message the gateway reads on the link, from its welcome.
    pub fn max_message_bytes(&self) -> usize {
        usize::try_from(self.max_message_bytes.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// Records the gateway's message limit from its welcome (the default when it names none).
    pub fn set_max_message_bytes(&self, limit: Option<u64>) {
        self.max_message_bytes.store(limit.unwrap_or(DEFAULT_LINK_MAX_MESSAGE_BYTES), Ordering::Relaxed);
    }

    /// What to send instead of `message`, whose text of `length` bytes is over the link's `limit` (see
    /// `inbox::oversized`), counted for `mtb_status`.
    pub fn oversized(&self, message: &BridgeMessage, length: usize, limit: usize) -> Option<BridgeMessage> {
        let replacement = inbox::oversized(message, length, limit);
        let mut state = self.lock();
        match replacement {
            Some(_) => state.counters.replies_too_large += 1,
            None => state.counters.events_too_large += 1,
        }
        replacement
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic caught at the boundary may have poisoned the lock; the state itself stays consistent because
        // every mutation below completes before anything can panic.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wake_link(&self) {
        self.outbound.notify_one();
    }

    /// Releases `state` and wakes the EA if it sleeps in `mtb_wait`. A condvar notify is a system call even with
    /// nobody waiting, and the EA is usually busy when requests come fast.
    fn wake_ea(&self, state: MutexGuard<'_, State>) {
        let waiting = state.ea_waiting > 0;
        drop(state);
        if waiting {
            self.ready.notify_all();
        }
    }

    // ---- Requests, from the link task ----

    /// Files a request from the gateway: queued for the EA, or answered at once (unknown method, past deadline,
    /// bad params, queue full).
    pub fn enqueue_request(&self, gateway_id: u64, method: &str, params: Value, deadline: i64) {
        // Decoded before the lock is taken: the EA thread should not wait on the link's parsing.
        let incoming = Incoming::decode(gateway_id, method, params, deadline);
        let mut guard = self.lock();
        let state = &mut *guard;
        if state.inbox.file(&mut state.outbox, incoming, now_ms()) {
            return self.wake_ea(guard);
        }
        drop(guard);
        self.wake_link();
    }

    /// Answers `not_executed` for queued requests whose deadline has passed.
    pub fn sweep_expired(&self) {
        let expired = self.lock().sweep(now_ms());
        if expired > 0 {
            self.wake_link();
        }
    }

    // ---- Requests, from the EA ----

    /// Claims the oldest queued request if `copy` accepts its method name; on an error from `copy` (buffer too
    /// small) the request stays queued. Returns `copy`'s result and the request id (0 when none was queued).
    pub fn claim_next(&self, copy: impl FnOnce(&str) -> BridgeResult<i32>) -> BridgeResult<(i32, i64)> {
        let mut guard = self.lock();
        let state = &mut *guard;
        let claimed = state.inbox.claim(&mut state.outbox, now_ms(), copy)?;
        drop(guard);
        let Some(claimed) = claimed else {
            return Ok((0, 0));
        };
        // A trading call's `taken` goes out at once: if the link dropped before it arrived, the gateway would
        // answer "not executed" for a trade in progress, and a retry could trade twice. A read's `taken` waits
        // for its reply, which implies it, so a read costs one message each way instead of two; the link's tick
        // sends it within 50 ms if the reply is slow, well inside the gateway's pickup slack.
        if claimed.trading {
            self.wake_link();
        }
        Ok((claimed.length, claimed.id))
    }

    /// Runs `f` on a claimed request's params.
    pub fn with_params<T>(&self, id: i64, f: impl FnOnce(&Value) -> BridgeResult<T>) -> BridgeResult<T> {
        let state = self.lock();
        f(state.inbox.params(id)?)
    }

    /// Runs `f` on the value being built for a claimed request's reply or a begun event.
    pub fn with_builder<T>(&self, id: i64, f: impl FnOnce(&mut Value) -> BridgeResult<T>) -> BridgeResult<T> {
        let mut state = self.lock();
        f(state.inbox.builder(id)?)
    }

    /// Checks the built (or given) result against the method's result type and sends it. A bad result is
    /// answered `invalid_terminal_reply` to the client, and the error names the field.
    pub fn reply(&self, id: i64, given: Option<&str>) -> BridgeResult<()> {
        let taken = self.lock().inbox.take(id)?;
        // Checked without the lock: the link thread should not wait on the EA's reply being decoded.
        let (message, result) = taken.answer(given);
        let mut guard = self.lock();
        let state = &mut *guard;
        state.inbox.record_reply(&mut state.outbox, message, result.is_ok());
        drop(guard);
        self.wake_link();
        result
    }

    /// Answers a claimed request with an error.
    pub fn reply_error(&self, id: i64, error: ErrorObject) -> BridgeResult<()> {
        let mut guard = self.lock();
        let state = &mut *guard;
        state.inbox.reply_error(&mut state.outbox, id, error)?;
        drop(guard);
        self.wake_link();
        Ok(())
    }

    // ---- Events, from the EA ----

    /// Opens an event builder for a terminal event name.
    pub fn event_begin(&self, name: &str) -> BridgeResult<i64> {
        if registry::event(name).is_none() {
            return Err(BridgeError::arg(format!(
                "`{name}` is not a terminal event; use one of {}",
                registry::terminal_events().join(", ")
            )));
        }
        self.lock().inbox.begin_event(name)
    }

    /// Checks and queues a begun event.
    pub fn event_send(&self, id: i64) -> BridgeResult<()> {
        let draft = self.lock().inbox.take_event(id)?;
        self.publish(&draft.name, draft.data)
    }

    /// Checks an event against its notification type and queues it without blocking: snapshots (quote, book)
    /// replace an unsent older one of the same symbol; the rest keep their order in a bounded queue.
    pub fn publish(&self, name: &str, data: Value) -> BridgeResult<()> {
        let entry = registry::event(name).ok_or_else(|| {
            BridgeError::arg(format!(
                "`{name}` is not a terminal event; use one of {}",
                registry::terminal_events().join(", ")
            ))
        })?;
        let checked = (entry.check_data)(&data);
        let mut state = self.lock();
        let data = match checked {
            Ok(data) => data,
            Err(field_error) => {
                state.counters.events_invalid += 1;
                return Err(BridgeError::InvalidReply(format!("event {name}: {field_error}")));
            }
        };
        state.counters.events_published += 1;
        if market_events().contains(&name)
            && state.interest.as_ref().is_some_and(|interest| !interest.contains(symbol_of(&data)))
        {
            state.counters.events_filtered += 1;
            return Ok(());
        }
        state.outbox.push_event(name, data)?;
        drop(state);
        self.wake_link();
        Ok(())
    }

    // ---- Waiting and status ----

    /// Blocks until a request is queued, the link state changes or the session stops, or `timeout` passes.
    /// Returns the readiness bits (0 on timeout), plus the link state and reason when the link bit is set.
    pub fn wait(&self, timeout: Duration) -> (i32, Option<(LinkState, String)>) {
        let until = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if state.sweep(now_ms()) > 0 {
                self.wake_link();
            }
            let mut bits = 0;
            if state.inbox.has_queued() {
                bits |= MTB_READY_REQUEST;
            }
            if state.link_changed {
                bits |= MTB_READY_LINK;
            }
            if state.demand_changed {
                bits |= MTB_READY_DEMAND;
            }
            if state.stopping {
                bits |= MTB_READY_STOPPING;
            }
            if bits != 0 {
                let link = state.link_changed.then(|| (state.link, state.link_reason.clone()));
                state.link_changed = false;
                state.demand_changed = false;
                return (bits, link);
            }
            let now = Instant::now();
            if now >= until {
                return (0, None);
            }
            state.ea_waiting += 1;
            state = match self.ready.wait_timeout(state, until - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
            state.ea_waiting -= 1;
        }
    }

    /// The link state and its reason.
    pub fn link(&self) -> (LinkState, String) {
        let state = self.lock();
        (state.link, state.link_reason.clone())
    }

    /// Status JSON: link state, queue depths and counters.
    pub fn status(&self, panics: u64) -> Value {
        let state = self.lock();
        let counters = &state.counters;
        let requests = state.inbox.counters();
        json!({
            "session": self.handle,
            "link": {
                "state": state.link.as_str(),
                "reason": state.link_reason,
                "since": state.link_since,
                "gateway_version": state.gateway_version,
                "links": counters.links,
                "url": self.config.gateway_url,
            },
            "queues": {
                "requests_queued": state.inbox.queued(),
                "requests_taken": state.inbox.taken(),
                "discards_unreported": state.discarded.len(),
                "events_open": state.inbox.open_events(),
                "outbox": state.outbox.queued(),
                "outbox_events": state.outbox.queued_events(),
                "snapshots": state.outbox.snapshots(),
                "interest": state.interest.as_ref().map(|interest| {
                    let mut symbols: Vec<&String> = interest.iter().collect();
                    symbols.sort();
                    symbols
                }),
            },
            "counters": {
                "requests_received": requests.requests_received,
                "requests_rejected": requests.requests_rejected,
                "requests_expired": requests.requests_expired,
                "requests_discarded": requests.requests_discarded,
                "requests_taken": requests.requests_taken,
                "replies": requests.replies,
                "replies_invalid": requests.replies_invalid,
                "events_published": counters.events_published,
                "events_filtered": counters.events_filtered,
                "events_coalesced": state.outbox.coalesced(),
                "events_dropped": state.outbox.dropped(),
                "events_invalid": counters.events_invalid,
                "messages_sent": counters.messages_sent,
                "replies_too_large": counters.replies_too_large,
                "events_too_large": counters.events_too_large,
                "panics": panics,
            },
        })
    }

    // ---- The link side ----

    /// Records a link state change and wakes `mtb_wait`.
    pub fn set_link(&self, link: LinkState, reason: impl Into<String>) {
        let mut state = self.lock();
        let reason = reason.into();
        if state.link == link && state.link_reason == reason {
            return;
        }
        if link == LinkState::Linked {
            state.counters.links += 1;
            // A new gateway states its interest afresh; until it does, everything is forwarded and nothing is
            // demanded (a gateway without subscribers sends no interest at all).
            state.interest = None;
            if !state.demand.is_empty() {
                state.demand.clear();
                state.demand_changed = true;
            }
        }
        state.link = link;
        state.link_reason = reason;
        state.link_since = now_ms();
        state.link_changed = true;
        self.wake_ea(state);
    }

    /// The link dropped: every request it brought that the EA has not claimed is removed, never to run, and kept
    /// for the next hello. Claimed ones stay claimed; their `taken` and reply go out on the next link.
    pub fn link_dropped(&self) {
        let mut guard = self.lock();
        let state = &mut *guard;
        let discarded = state.inbox.discard_queued();
        state.discarded.extend(discarded);
    }

    /// The discarded requests the next hello reports.
    pub fn discarded(&self) -> Vec<Discarded> {
        self.lock().discarded.clone()
    }

    /// A welcome answered a hello that reported the first `count` discarded requests: the gateway has them.
    pub fn discards_acknowledged(&self, count: usize) {
        let mut state = self.lock();
        let count = count.min(state.discarded.len());
        state.discarded.drain(..count);
    }

    /// Records the gateway's version from its welcome.
    pub fn set_gateway_version(&self, version: String) {
        self.lock().gateway_version = version;
    }

    /// The gateway's stream interest: market events of other symbols are no longer forwarded, and the EA is woken
    /// (`MTB_READY_DEMAND`) when the streams it should serve changed.
    pub fn set_interest(&self, symbols: Vec<String>, streams: &[StreamSpec]) {
        let mut state = self.lock();
        let interest: HashSet<String> = symbols.into_iter().collect();
        state.outbox.retain_symbols(&interest);
        state.interest = Some(interest);
        let demand = demand_text(streams);
        if demand != state.demand {
            state.demand = demand;
            state.demand_changed = true;
            self.wake_ea(state);
        }
    }

    /// The clients' demand in `mtb_demand`'s text form.
    pub fn demand(&self) -> String {
        self.lock().demand.clone()
    }

    /// Takes up to `max` messages to send (see `Outbox::take`).
    pub fn take_outbound(&self, max: usize) -> Vec<BridgeMessage> {
        self.lock().outbox.take(max)
    }

    /// Puts back messages that could not be sent, ahead of everything else, keeping their order.
    pub fn requeue(&self, messages: Vec<BridgeMessage>) {
        self.lock().outbox.requeue(messages);
    }

    /// Counts messages written to the link.
    pub fn count_sent(&self, count: usize) {
        self.lock().counters.messages_sent += count as u64;
    }

    /// Whether anything waits to be sent.
    pub fn has_outbound(&self) -> bool {
        !self.lock().outbox.is_empty()
    }

    /// Marks the session stopping: queued requests are answered `not_executed`, waiters wake with the stop bit.
    pub fn begin_stop(&self) {
        let mut state = self.lock();
        state.stopping = true;
        let parts = &mut *state;
        parts.inbox.refuse_queued(&mut parts.outbox);
        state.link = LinkState::Stopped;
        state.link_reason = "mtb_stop was called".into();
        state.link_changed = true;
        self.wake_ea(state);
        self.wake_link();
        self.stop_tx.send_replace(true);
    }
}

/// The demand as `mtb_demand` gives it: one line per stream, `kind<TAB>symbol<TAB>timeframe`, the kind being the
/// stream's `type` (`quotes`, `ticks`, `candles`, `book`, `account`, `trades`, `terminal`) and absent fields empty,
/// each line ending in a newline. MQL has no JSON parser, and this splits with `StringFind` alone. A symbol holding a
/// tab or a newline is left out: it cannot be a terminal's symbol, and it would break the lines.
pub fn demand_text(streams: &[StreamSpec]) -> String {
    let mut lines: Vec<String> = streams
        .iter()
        .filter_map(|stream| {
            let (kind, symbol, timeframe) = match stream {
                StreamSpec::Quotes { symbol } => ("quotes", symbol.as_str(), String::new()),
                StreamSpec::Ticks { symbol } => ("ticks", symbol.as_str(), String::new()),
                StreamSpec::Candles { symbol, timeframe } => {
                    let timeframe = serde_json::to_value(timeframe).ok()?.as_str()?.to_owned();
                    ("candles", symbol.as_str(), timeframe)
                }
                StreamSpec::Book { symbol } => ("book", symbol.as_str(), String::new()),
                StreamSpec::Account => ("account", "", String::new()),
                StreamSpec::Trades => ("trades", "", String::new()),
                StreamSpec::Terminal => ("terminal", "", String::new()),
            };
            (!symbol.contains(['\t', '\n'])).then(|| format!("{kind}\t{symbol}\t{timeframe}\n"))
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.concat()
}

impl State {
    /// Removes expired queued requests, answering each `not_executed`. Returns how many.
    fn sweep(&mut self, now: i64) -> usize {
        self.inbox.sweep(&mut self.outbox, now)
    }
}
