//! Subscriptions of one WebSocket client and its bounded outbound queue.
//!
//! Slow-consumer policy, per connection:
//!
//! - responses to calls are never dropped; they are bounded by the in-flight call limit (the gateway stops reading
//!   from a client that has too many calls open);
//! - quotes are coalesced per subscription: a slow reader gets the newest quote of each symbol, never a backlog, and
//!   a replaced quote does not count as lost;
//! - every other notification goes through a queue of `ws_queue` entries; when it is full, new notifications are
//!   dropped and counted, and the next thing the client receives is a `stream_gap` notice with the count, after
//!   which it can resynchronize with `get_snapshot`.
//!
//! `seq` is assigned when a notification is written, so the numbers a client sees have no holes.
//!
//! Subscriptions are capped per connection and per token ([`Budget`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use metaapi_protocol::methods::{StreamSpec, Subscription};
use metaapi_protocol::notifications::{GapReason, StreamGap, TerminalStatus, TokenRevoked};
use metaapi_protocol::types::Timeframe;
use metaapi_protocol::{ErrorObject, Notification, NotificationVisitor, Source, StreamKind, for_each_notification};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::{Notify, OwnedSemaphorePermit};

use crate::subscriptions::Budget;

/// A notification's `data`, serialized once when the event arrives and shared by every subscriber: fan-out then
/// costs one splice per client instead of one serialization (the bench's 100-subscriber fan-out fell behind on it).
pub type Payload = Arc<str>;

/// A subscription id, shared by the session's map and every notification it tags.
pub type SubscriptionId = Arc<str>;

/// One thing to write to the client.
#[derive(Debug, Clone)]
pub enum Frame {
    /// A serialized JSON-RPC response (or batch).
    Response(String),
    /// A notification; its `seq` is filled in when written.
    Notice {
        /// Notification name.
        method: &'static str,
        /// The subscription it belongs to.
        subscription_id: Option<SubscriptionId>,
        /// Its data, as JSON text.
        data: Payload,
    },
}

/// Why a connection is closed by the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    /// WebSocket close code.
    pub code: u16,
    /// Close reason text.
    pub text: String,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Frame>,
    responses: VecDeque<(String, Option<OwnedSemaphorePermit>)>,
    quotes: HashMap<SubscriptionId, (Payload, bool)>,
    quote_order: VecDeque<SubscriptionId>,
    dropped: u64,
    gap_reason: Option<GapReason>,
    close: Option<CloseReason>,
}

/// The bounded outbound queue of one connection.
pub struct Outbox {
    state: Mutex<State>,
    wake: Notify,
    capacity: usize,
    seq: AtomicU64,
}

/// What the writer should do next.
pub enum Next {
    /// Write these texts.
    Write(Vec<String>),
    /// Close with this reason (after the texts already returned).
    Close(CloseReason),
}

impl Outbox {
    /// An outbox holding at most `capacity` queued notifications.
    pub fn new(capacity: usize) -> Outbox {
        Outbox { state: Mutex::new(State::default()), wake: Notify::new(), capacity, seq: AtomicU64::new(0) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// The `seq` of the last notification written.
    pub fn seq(&self) -> u64 {
        self.seq.load(Ordering::Acquire)
    }

    /// Queues a response; responses are never dropped. The call's in-flight permit is released only when the
    /// writer takes the response, so a client that sends calls without reading answers stops being read.
    pub fn respond(&self, text: String, permit: Option<OwnedSemaphorePermit>) {
        let mut state = self.state();
        if state.close.is_some() {
            return;
        }
        state.responses.push_back((text, permit));
        drop(state);
        self.wake.notify_one();
    }

    /// Queues a notification under the slow-consumer policy.
    pub fn notify(&self, method: &'static str, subscription_id: Option<SubscriptionId>, data: Payload) {
        let mut state = self.state();
        if state.close.is_some() {
            return;
        }
        if method == "quote"
            && let Some(id) = subscription_id.clone()
        {
            if state.quotes.insert(id.clone(), (data, true)).is_none_or(|(_, pending)| !pending) {
                state.quote_order.push_back(id);
            }
        } else if state.queue.len() >= self.capacity {
            state.dropped += 1;
            state.gap_reason.get_or_insert(GapReason::SlowConsumer);
            return;
        } else {
            state.queue.push_back(Frame::Notice { method, subscription_id, data });
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Reports events lost before they reached this connection.
    pub fn gap(&self, dropped: u64, reason: GapReason) {
        let mut state = self.state();
        state.dropped += dropped;
        state.gap_reason.get_or_insert(reason);
        drop(state);
        self.wake.notify_one();
    }

    /// Drops everything queued, sends `last` (if any) and then closes.
    pub fn close(&self, reason: CloseReason, last: Option<Frame>) {
        let mut state = self.state();
        if state.close.is_some() {
            return;
        }
        state.queue.clear();
        state.quotes.clear();
        state.quote_order.clear();
        state.dropped = 0;
        state.gap_reason = None;
        state.queue.extend(last);
        state.close = Some(reason);
        drop(state);
        self.wake.notify_one();
    }

    /// Whether a close was requested.
    pub fn closing(&self) -> bool {
        self.state().close.is_some()
    }

    /// Waits for the next texts to write.
    pub async fn next(&self) -> Next {
        loop {
            let notified = self.wake.notified();
            if let Some(next) = self.try_next() {
                return next;
            }
            notified.await;
        }
    }

    /// The next texts to write, if any are waiting.
    ///
    /// Only the connection's writer calls this, so `seq` is assigned in write order. What is due is taken under the
    /// lock and rendered after it: the terminal link's reader queues into this outbox meanwhile.
    pub fn try_next(&self) -> Option<Next> {
        let mut due: Vec<Frame> = Vec::new();
        let mut state = self.state();
        let responses: Vec<String> = state.responses.drain(..).map(|(text, _permit)| text).collect();
        if state.dropped > 0 {
            let gap = StreamGap { dropped: state.dropped, reason: state.gap_reason.unwrap_or(GapReason::SlowConsumer) };
            state.dropped = 0;
            state.gap_reason = None;
            due.push(Frame::Notice { method: "stream_gap", subscription_id: None, data: to_payload(&gap) });
        }
        due.extend(state.queue.drain(..));
        while let Some(id) = state.quote_order.pop_front() {
            if let Some((data, pending)) = state.quotes.get_mut(&id)
                && *pending
            {
                *pending = false;
                due.push(Frame::Notice { method: "quote", subscription_id: Some(id), data: data.clone() });
            }
        }
        if responses.is_empty() && due.is_empty() {
            return state.close.clone().map(Next::Close);
        }
        drop(state);
        let mut texts = responses;
        texts.reserve(due.len());
        for frame in due {
            texts.push(match frame {
                Frame::Response(text) => text,
                Frame::Notice { method, subscription_id, data } => {
                    self.render(method, subscription_id.as_deref(), &data)
                }
            });
        }
        Some(Next::Write(texts))
    }

    /// The notification's text: the shared `data` spliced in, only `seq` and the subscription id written here.
    /// Both names are ours (registry method names, `s<n>` ids), so neither needs escaping.
    ///
    /// The text is allocated at its exact length: the WebSocket layer turns it into `Bytes`, which for a buffer
    /// with spare capacity allocates a shared header as well (a second allocation per message in the fan-out).
    fn render(&self, method: &str, subscription_id: Option<&str>, data: &str) -> String {
        const HEAD: &str = r#"{"jsonrpc":"2.0","method":""#;
        const SEQ: &str = r#"","params":{"seq":"#;
        const ID: &str = r#","subscription_id":""#;
        const DATA: &str = r#","data":"#;
        let mut digits = itoa::Buffer::new();
        let seq = digits.format(self.seq.fetch_add(1, Ordering::AcqRel) + 1);
        let id_len = subscription_id.map_or(0, |id| ID.len() + id.len() + 1);
        let length = HEAD.len() + method.len() + SEQ.len() + seq.len() + id_len + DATA.len() + data.len() + 2;
        let mut text = String::with_capacity(length);
        text.push_str(HEAD);
        text.push_str(method);
        text.push_str(SEQ);
        text.push_str(seq);
        if let Some(id) = subscription_id {
            text.push_str(ID);
            text.push_str(id);
            text.push('"');
        }
        text.push_str(DATA);
        text.push_str(data);
        text.push_str("}}");
        debug_assert_eq!(text.len(), length);
        text
    }
}

/// Serializes a notification's data once.
pub fn to_payload<T: Serialize + ?Sized>(value: &T) -> Payload {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()).into()
}

/// The subscriptions of one WebSocket client.
pub struct Subscriber {
    /// Unique per gateway process.
    pub id: u64,
    /// Where its notifications go.
    pub outbox: Arc<Outbox>,
    subscriptions: Mutex<HashMap<StreamSpec, SubscriptionId>>,
    next_subscription: AtomicU64,
    budget: Budget,
}

impl Subscriber {
    /// A session without subscriptions, drawing on `budget`.
    pub fn new(id: u64, outbox: Arc<Outbox>, budget: Budget) -> Subscriber {
        Subscriber {
            id,
            outbox,
            subscriptions: Mutex::new(HashMap::new()),
            next_subscription: AtomicU64::new(1),
            budget,
        }
    }

    fn subscriptions(&self) -> std::sync::MutexGuard<'_, HashMap<StreamSpec, SubscriptionId>> {
        self.subscriptions.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Adds streams; a stream subscribed twice keeps its id. Refused whole, with `payload_too_large`, when the new
    /// streams would take the connection or its token over a cap.
    pub fn subscribe(&self, streams: &[StreamSpec]) -> Result<Vec<Subscription>, ErrorObject> {
        let mut subscriptions = self.subscriptions();
        let adding = streams
            .iter()
            .filter(|stream| !subscriptions.contains_key(*stream))
            .collect::<HashSet<&StreamSpec>>()
            .len();
        self.budget.reserve(subscriptions.len(), adding)?;
        Ok(streams
            .iter()
            .map(|stream| {
                let id = subscriptions
                    .entry(stream.clone())
                    .or_insert_with(|| format!("s{}", self.next_subscription.fetch_add(1, Ordering::Relaxed)).into())
                    .to_string();
                Subscription { id, stream: stream.clone() }
            })
            .collect())
    }

    /// Removes streams by id; returns the ids that were active.
    pub fn unsubscribe(&self, ids: &[String]) -> Vec<String> {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut removed = Vec::new();
        self.subscriptions().retain(|_, id| {
            let remove = wanted.contains(&**id);
            if remove {
                removed.push(id.to_string());
            }
            !remove
        });
        self.budget.release(removed.len());
        removed
    }

    /// Active subscriptions, by id.
    pub fn list(&self) -> Vec<Subscription> {
        let mut list: Vec<Subscription> = self
            .subscriptions()
            .iter()
            .map(|(stream, id)| Subscription { id: id.to_string(), stream: stream.clone() })
            .collect();
        list.sort_by_key(|subscription| subscription.id[1..].parse::<u64>().unwrap_or(u64::MAX));
        list
    }

    /// The streams this session subscribed to.
    pub fn streams(&self) -> Vec<StreamSpec> {
        self.subscriptions().keys().cloned().collect()
    }

    /// Delivers an event if a subscription wants it.
    pub fn deliver(&self, event: &Event) {
        let id = self.subscriptions().get(&event.stream).cloned();
        if let Some(id) = id {
            self.outbox.notify(event.name, Some(id), event.data.clone());
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        // The connection is gone: its subscriptions no longer count against its token.
        let held = self.subscriptions().len();
        self.budget.release(held);
    }
}

/// A terminal event, checked and matched to the stream it belongs to.
#[derive(Debug, Clone)]
pub struct Event {
    /// Notification name.
    pub name: &'static str,
    /// The stream a subscriber must hold.
    pub stream: StreamSpec,
    /// The notification data, serialized.
    pub data: Payload,
}

fn symbol(data: &Value) -> Option<String> {
    data.get("symbol").and_then(Value::as_str).map(str::to_owned)
}

/// What the gateway relays of one terminal event, read off its notification type.
struct Relayed {
    name: &'static str,
    stream: StreamKind,
    /// Whether data is the notification's `Data` type.
    valid: fn(&Value) -> bool,
}

fn valid<T: DeserializeOwned>(data: &Value) -> bool {
    T::deserialize(data).is_ok()
}

/// Every notification that names a stream, by name: the terminal's events, never the gateway's own notices.
fn relayed() -> &'static HashMap<&'static str, Relayed> {
    static RELAYED: OnceLock<HashMap<&'static str, Relayed>> = OnceLock::new();
    RELAYED.get_or_init(|| {
        struct Collect(HashMap<&'static str, Relayed>);
        impl NotificationVisitor for Collect {
            fn visit<N: Notification>(&mut self) {
                if let (Source::Terminal, Some(stream)) = (N::SOURCE, N::STREAM) {
                    self.0.insert(N::NAME, Relayed { name: N::NAME, stream, valid: valid::<N::Data> });
                }
            }
        }
        let mut collect = Collect(HashMap::new());
        for_each_notification(&mut collect);
        collect.0
    })
}

/// Matches a terminal event to its stream, checking its data against the notification's type; both come from the
/// protocol's notification registry (`Notification::STREAM`, `Notification::Data`).
///
/// `None` for unknown names, the gateway's own notices and data that does not match; those never reach clients.
pub fn classify(name: &str, data: Value) -> Option<Event> {
    let relayed = relayed().get(name).filter(|relayed| (relayed.valid)(&data))?;
    let stream = match relayed.stream {
        StreamKind::Quotes => StreamSpec::Quotes { symbol: symbol(&data)? },
        StreamKind::Ticks => StreamSpec::Ticks { symbol: symbol(&data)? },
        StreamKind::Candles => {
            let timeframe = Timeframe::deserialize(data.get("timeframe")?).ok()?;
            StreamSpec::Candles { symbol: symbol(&data)?, timeframe }
        }
        StreamKind::Book => StreamSpec::Book { symbol: symbol(&data)? },
        StreamKind::Account => StreamSpec::Account,
        StreamKind::Trades => StreamSpec::Trades,
        StreamKind::Terminal => StreamSpec::Terminal,
    };
    Some(Event { name: relayed.name, stream, data: to_payload(&data) })
}

use serde::Deserialize as _;

/// The `token_revoked` notice sent before a connection is closed for lost access.
pub fn revoked_frame(reason: metaapi_protocol::console::DenyReason) -> Frame {
    Frame::Notice { method: "token_revoked", subscription_id: None, data: to_payload(&TokenRevoked { reason }) }
}

/// The broker connection and trade permission a terminal's program last reported in `terminal_status`, kept per
/// terminal so that the gateway's own notices of the link going up carry them.
#[derive(Debug, Default)]
pub struct ReportedStatus {
    broker_connected: std::sync::atomic::AtomicBool,
    trade_allowed: std::sync::atomic::AtomicBool,
}

impl ReportedStatus {
    /// Keeps what an online `terminal_status` says; other events, and the gateway's offline notice (which says
    /// nothing of the broker), leave the last report as it was.
    pub fn record(&self, event: &Event) {
        if event.name != "terminal_status" {
            return;
        }
        let Ok(status) = serde_json::from_str::<TerminalStatus>(&event.data) else { return };
        if status.online {
            self.broker_connected.store(status.broker_connected, Ordering::Relaxed);
            self.trade_allowed.store(status.trade_allowed, Ordering::Relaxed);
        }
    }
}

/// A `terminal_status` the gateway makes when the link goes up or down: `online` is the link's state, the broker
/// connection and trade permission are the program's last report while linked, and `false` while offline, since
/// nothing reaches the broker through a terminal the gateway cannot reach.
pub fn status_event(online: bool, reported: &ReportedStatus) -> Event {
    let status = TerminalStatus {
        online,
        broker_connected: online && reported.broker_connected.load(Ordering::Relaxed),
        trade_allowed: online && reported.trade_allowed.load(Ordering::Relaxed),
        time: crate::auth::now_ms(),
    };
    Event { name: "terminal_status", stream: StreamSpec::Terminal, data: to_payload(&status) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn texts(outbox: &Outbox) -> Vec<Value> {
        match outbox.try_next() {
            Some(Next::Write(texts)) => texts.iter().map(|text| serde_json::from_str(text).unwrap()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_gateways_status_notices_carry_the_programs_last_report_while_online() {
        let status = |event: &Event| serde_json::from_str::<TerminalStatus>(&event.data).unwrap();
        let reported = ReportedStatus::default();
        let first = status(&status_event(true, &reported));
        assert!(first.online && !first.broker_connected && !first.trade_allowed, "nothing reported yet: {first:?}");
        let report = json!({"online": true, "broker_connected": true, "trade_allowed": true, "time": 5});
        let event = classify("terminal_status", report).expect("a valid report");
        reported.record(&event);
        let relinked = status(&status_event(true, &reported));
        assert!(relinked.broker_connected && relinked.trade_allowed, "{relinked:?}");
        let offline = status_event(false, &reported);
        let gone = status(&offline);
        assert!(!gone.online && !gone.broker_connected && !gone.trade_allowed, "{gone:?}");
        // The offline notice is published through the same path, and must not erase the report.
        reported.record(&offline);
        let disconnected = json!({"online": true, "broker_connected": false, "trade_allowed": true, "time": 6});
        reported.record(&status_event(true, &reported));
        assert!(status(&status_event(true, &reported)).broker_connected);
        reported.record(&classify("terminal_status", disconnected).expect("a valid report"));
        let later = status(&status_event(true, &reported));
        assert!(!later.broker_connected && later.trade_allowed, "{later:?}");
        assert!(classify("terminal_status", json!({"online": true})).is_none(), "an incomplete report is dropped");
    }

    #[test]
    fn quotes_coalesce_and_other_events_overflow_into_a_gap() {
        let outbox = Outbox::new(2);
        for bid in 0..10 {
            outbox.notify("quote", Some("s1".into()), to_payload(&json!({ "bid": bid })));
        }
        for index in 0..5 {
            outbox.notify("tick", Some("s2".into()), to_payload(&json!({ "n": index })));
        }
        let written = texts(&outbox);
        assert_eq!(written[0]["method"], "stream_gap");
        assert_eq!(written[0]["params"]["data"]["dropped"], 3);
        assert_eq!(written[1]["params"]["data"]["n"], 0);
        assert_eq!(written[2]["params"]["data"]["n"], 1);
        assert_eq!(written[3]["method"], "quote");
        assert_eq!(written[3]["params"]["data"]["bid"], 9);
        let seqs: Vec<u64> = written.iter().map(|notice| notice["params"]["seq"].as_u64().unwrap()).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4]);
        assert!(texts(&outbox).is_empty());
    }

    #[test]
    fn close_drops_the_backlog_and_sends_the_last_notice() {
        let outbox = Outbox::new(8);
        outbox.notify("tick", Some("s2".into()), to_payload(&json!({})));
        outbox.close(
            CloseReason { code: 4401, text: "token_revoked".into() },
            Some(revoked_frame(metaapi_protocol::console::DenyReason::TokenRevoked)),
        );
        let written = texts(&outbox);
        assert_eq!(written.len(), 1);
        assert_eq!(written[0]["method"], "token_revoked");
        assert!(matches!(outbox.try_next(), Some(Next::Close(CloseReason { code: 4401, .. }))));
    }

    #[test]
    fn notices_are_rendered_whole_at_their_exact_length() {
        let outbox = Outbox::new(8);
        outbox.seq.store(9, Ordering::Release);
        let data = to_payload(&json!({ "symbol": "EURUSD", "bid": 1.1 }));
        let with_id = outbox.render("tick", Some("s12"), &data);
        assert_eq!(with_id.len(), with_id.capacity());
        assert_eq!(
            serde_json::from_str::<Value>(&with_id).unwrap(),
            json!({ "jsonrpc": "2.0", "method": "tick",
                    "params": { "seq": 10, "subscription_id": "s12", "data": { "symbol": "EURUSD", "bid": 1.1 } } })
        );
        let without = outbox.render("heartbeat", None, &to_payload(&json!({ "time": 5 })));
        assert_eq!(without.len(), without.capacity());
        assert_eq!(
            serde_json::from_str::<Value>(&without).unwrap(),
            json!({ "jsonrpc": "2.0", "method": "heartbeat", "params": { "seq": 11, "data": { "time": 5 } } })
        );
        outbox.seq.store(u64::MAX - 1, Ordering::Release);
        let largest = outbox.render("heartbeat", None, &to_payload(&json!({})));
        assert_eq!(largest.len(), largest.capacity());
        assert_eq!(serde_json::from_str::<Value>(&largest).unwrap()["params"]["seq"], u64::MAX);
    }

    #[test]
    fn events_with_bad_data_are_not_classified() {
        assert!(classify("quote", json!({ "symbol": "EURUSD" })).is_none());
        assert!(classify("nonsense", json!({})).is_none());
    }
}
