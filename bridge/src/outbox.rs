//! What waits to be sent to the gateway: replies, taken notices and ordered events in one bounded queue, the newest
//! snapshot per (event, symbol) beside it, and the event sequence numbers given as events leave. No locking here;
//! the session keeps an `Outbox` inside its one mutex and wakes the link task.

use std::collections::{HashMap, HashSet, VecDeque};

use metaapi_protocol::link::BridgeMessage;
use serde_json::Value;

use crate::registry::coalesced_events;
use crate::status::{BridgeError, BridgeResult};

/// Most ordered events (trades, account, ticks, candles) waiting to be sent; more are dropped and counted.
pub const EVENT_QUEUE_CAP: usize = 8192;

/// The symbol a market event is about (empty when it names none).
pub fn symbol_of(data: &Value) -> &str {
    data.get("symbol").and_then(Value::as_str).unwrap_or_default()
}

enum Outbound {
    Ready(BridgeMessage),
    // The sequence number is given when the event leaves, so coalescing never shows up as a gap.
    Event { name: String, data: Value },
}

/// The outbound queue of one session.
pub struct Outbox {
    queue: VecDeque<Outbound>,
    /// Events in `queue`, numbered or not; the cap counts these.
    events: usize,
    snapshots: HashMap<(String, String), Value>,
    snapshot_order: VecDeque<(String, String)>,
    next_seq: u64,
    /// Events dropped since the last numbered one: the next number skips this many.
    pending_gap: u64,
    coalesced: u64,
    dropped: u64,
}

impl Outbox {
    /// An empty outbox whose first event gets sequence number 1.
    pub fn new() -> Outbox {
        Outbox {
            queue: VecDeque::new(),
            events: 0,
            snapshots: HashMap::new(),
            snapshot_order: VecDeque::new(),
            next_seq: 1,
            pending_gap: 0,
            coalesced: 0,
            dropped: 0,
        }
    }

    /// Queues a message (a reply or a taken notice) behind everything queued.
    pub fn push(&mut self, message: BridgeMessage) {
        if matches!(message, BridgeMessage::Event { .. }) {
            self.events += 1;
        }
        self.queue.push_back(Outbound::Ready(message));
    }

    /// Queues a checked event without blocking: a snapshot (quote, book) replaces an unsent older one of the same
    /// symbol and keeps that one's place; any other event waits in order, and past [`EVENT_QUEUE_CAP`] it is
    /// dropped, counted, and leaves a hole in the numbering.
    pub fn push_event(&mut self, name: &str, data: Value) -> BridgeResult<()> {
        if coalesced_events().contains(&name) {
            let key = (name.to_owned(), symbol_of(&data).to_owned());
            if self.snapshots.insert(key.clone(), data).is_some() {
                self.coalesced += 1;
            } else {
                self.snapshot_order.push_back(key);
            }
            return Ok(());
        }
        if self.events >= EVENT_QUEUE_CAP {
            self.dropped += 1;
            self.pending_gap += 1;
            return Err(BridgeError::QueueFull(format!(
                "{EVENT_QUEUE_CAP} events wait to be sent; {name} dropped (counted in mtb_status)"
            )));
        }
        self.events += 1;
        self.queue.push_back(Outbound::Event { name: name.to_owned(), data });
        Ok(())
    }

    /// Forgets unsent snapshots of symbols outside the gateway's interest.
    pub fn retain_symbols(&mut self, interest: &HashSet<String>) {
        self.snapshots.retain(|(_, symbol), _| interest.contains(symbol));
        let snapshots = &self.snapshots;
        self.snapshot_order.retain(|key| snapshots.contains_key(key));
    }

    /// Takes up to `max` messages to send, in order: replies, taken notices and ordered events first, then the
    /// newest snapshots. Events get their sequence numbers here. A taken notice whose reply is in the same batch
    /// is left out, so the batch may come out shorter than `max`.
    pub fn take(&mut self, max: usize) -> Vec<BridgeMessage> {
        let mut batch = Vec::new();
        while batch.len() < max {
            let Some(item) = self.queue.pop_front() else { break };
            let message = match item {
                Outbound::Ready(message) => {
                    if matches!(message, BridgeMessage::Event { .. }) {
                        self.events -= 1;
                    }
                    message
                }
                Outbound::Event { name, data } => {
                    self.events -= 1;
                    self.event_message(name, data)
                }
            };
            batch.push(message);
        }
        while batch.len() < max {
            let Some(key) = self.snapshot_order.pop_front() else { break };
            if let Some(data) = self.snapshots.remove(&key) {
                let message = self.event_message(key.0, data);
                batch.push(message);
            }
        }
        // A reply says its request was taken; a `taken` sent with it would be news to nobody.
        let replied: Vec<u64> = batch
            .iter()
            .filter_map(|message| match message {
                BridgeMessage::Reply { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        if !replied.is_empty() {
            batch.retain(|message| !matches!(message, BridgeMessage::Taken { id } if replied.contains(id)));
        }
        batch
    }

    /// Puts back messages that could not be sent, ahead of everything else, keeping their order. Events keep the
    /// numbers they were given.
    pub fn requeue(&mut self, messages: Vec<BridgeMessage>) {
        for message in messages.into_iter().rev() {
            if matches!(message, BridgeMessage::Event { .. }) {
                self.events += 1;
            }
            self.queue.push_front(Outbound::Ready(message));
        }
    }

    /// Whether nothing waits to be sent.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.snapshot_order.is_empty()
    }

    /// Messages in the ordered queue (replies, taken notices, events).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Events in the ordered queue.
    pub fn queued_events(&self) -> usize {
        self.events
    }

    /// Unsent snapshots.
    pub fn snapshots(&self) -> usize {
        self.snapshots.len()
    }

    /// Snapshots replaced by a newer one before they were sent.
    pub fn coalesced(&self) -> u64 {
        self.coalesced
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn event_message(&mut self, name: String, data: Value) -> BridgeMessage {
        // Dropped events leave a hole in the numbering so the gateway can report a gap.
        let seq = self.next_seq + self.pending_gap;
        self.pending_gap = 0;
        self.next_seq = seq + 1;
        BridgeMessage::Event { seq, name, data }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn reply(id: u64) -> BridgeMessage {
        BridgeMessage::Reply {
            id,
            client_id: None,
            method: "get_account_information".into(),
            result: None,
            error: None,
        }
    }

    fn quote(symbol: &str, bid: f64) -> Value {
        json!({ "symbol": symbol, "bid": bid })
    }

    fn deal(ticket: u64) -> Value {
        json!({ "ticket": ticket })
    }

    /// Each message as a short tag, so a whole batch compares in one assertion.
    fn tags(batch: &[BridgeMessage]) -> Vec<String> {
        batch
            .iter()
            .map(|message| match message {
                BridgeMessage::Taken { id } => format!("taken {id}"),
                BridgeMessage::Reply { id, .. } => format!("reply {id}"),
                BridgeMessage::Event { seq, name, data } => {
                    let what = data.get("symbol").or_else(|| data.get("ticket")).cloned().unwrap_or_default();
                    let bid = data.get("bid").map(|bid| format!(" {bid}")).unwrap_or_default();
                    format!("{name} #{seq} {what}{bid}")
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn seqs(batch: &[BridgeMessage]) -> Vec<u64> {
        batch
            .iter()
            .filter_map(|message| match message {
                BridgeMessage::Event { seq, .. } => Some(*seq),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_taken_followed_by_its_reply_in_one_batch_leaves_only_the_reply() {
        let mut outbox = Outbox::new();
        outbox.push(BridgeMessage::Taken { id: 7 });
        outbox.push(BridgeMessage::Taken { id: 8 });
        outbox.push(reply(7));
        assert_eq!(tags(&outbox.take(10)), ["taken 8", "reply 7"]);
        assert!(outbox.is_empty());
    }

    #[test]
    fn a_taken_whose_reply_is_not_queued_yet_is_sent_alone() {
        let mut outbox = Outbox::new();
        outbox.push(BridgeMessage::Taken { id: 7 });
        assert_eq!(tags(&outbox.take(10)), ["taken 7"]);
        outbox.push(reply(7));
        assert_eq!(tags(&outbox.take(10)), ["reply 7"]);
    }

    #[test]
    fn a_reply_beyond_max_does_not_hide_its_taken() {
        let mut outbox = Outbox::new();
        outbox.push(BridgeMessage::Taken { id: 7 });
        outbox.push(reply(7));
        assert_eq!(tags(&outbox.take(1)), ["taken 7"]);
        assert_eq!(tags(&outbox.take(1)), ["reply 7"]);
    }

    #[test]
    fn ready_messages_and_ordered_events_keep_their_order() {
        let mut outbox = Outbox::new();
        outbox.push(reply(1));
        outbox.push_event("deal_added", deal(10)).unwrap();
        outbox.push(BridgeMessage::Taken { id: 2 });
        outbox.push_event("tick", quote("EURUSD", 1.1)).unwrap();
        outbox.push(reply(3));
        assert_eq!(outbox.queued(), 5);
        assert_eq!(outbox.queued_events(), 2);
        assert_eq!(
            tags(&outbox.take(10)),
            ["reply 1", "deal_added #1 10", "taken 2", "tick #2 \"EURUSD\" 1.1", "reply 3"]
        );
        assert_eq!((outbox.queued(), outbox.queued_events()), (0, 0));
    }

    #[test]
    fn max_limits_a_batch_and_the_rest_stays_queued() {
        let mut outbox = Outbox::new();
        for id in 1..=3 {
            outbox.push(reply(id));
        }
        outbox.push_event("quote", quote("EURUSD", 1.1)).unwrap();
        assert_eq!(tags(&outbox.take(2)), ["reply 1", "reply 2"]);
        assert!(!outbox.is_empty());
        assert_eq!(tags(&outbox.take(1)), ["reply 3"]);
        assert!(!outbox.is_empty(), "a snapshot alone still waits to be sent");
        assert_eq!(tags(&outbox.take(2)), ["quote #1 \"EURUSD\" 1.1"]);
        assert!(outbox.is_empty());
        assert!(outbox.take(2).is_empty());
    }

    #[test]
    fn requeue_puts_messages_back_in_front_in_order_and_keeps_their_numbers() {
        let mut outbox = Outbox::new();
        outbox.push(reply(1));
        outbox.push_event("deal_added", deal(10)).unwrap();
        let batch = outbox.take(2);
        assert_eq!(tags(&batch), ["reply 1", "deal_added #1 10"]);
        outbox.push(reply(2));
        outbox.push_event("deal_added", deal(11)).unwrap();
        outbox.requeue(batch);
        assert_eq!(outbox.queued_events(), 2, "a requeued event counts against the cap again");
        assert_eq!(tags(&outbox.take(10)), ["reply 1", "deal_added #1 10", "reply 2", "deal_added #2 11"]);
        assert_eq!(outbox.queued_events(), 0);
    }

    #[test]
    fn snapshots_keep_only_the_newest_per_symbol_and_come_after_ordered_messages() {
        let mut outbox = Outbox::new();
        outbox.push_event("quote", quote("EURUSD", 1.1)).unwrap();
        outbox.push_event("quote", quote("GBPUSD", 1.3)).unwrap();
        outbox.push_event("book", quote("EURUSD", 1.0)).unwrap();
        outbox.push_event("quote", quote("EURUSD", 1.2)).unwrap();
        outbox.push_event("deal_added", deal(10)).unwrap();
        outbox.push(reply(1));
        assert_eq!((outbox.snapshots(), outbox.coalesced()), (3, 1));
        // The newer EURUSD quote took the older one's place, ahead of GBPUSD.
        assert_eq!(tags(&outbox.take(3)), ["deal_added #1 10", "reply 1", "quote #2 \"EURUSD\" 1.2"]);
        assert_eq!(tags(&outbox.take(1)), ["quote #3 \"GBPUSD\" 1.3"]);
        assert_eq!(tags(&outbox.take(1)), ["book #4 \"EURUSD\" 1.0"]);
        assert_eq!(outbox.snapshots(), 0);
        assert!(outbox.is_empty(), "a replaced snapshot leaves nothing behind");
    }

    #[test]
    fn interest_forgets_snapshots_of_other_symbols_and_keeps_the_order() {
        let mut outbox = Outbox::new();
        for symbol in ["EURUSD", "GBPUSD", "USDJPY"] {
            outbox.push_event("quote", quote(symbol, 1.0)).unwrap();
        }
        outbox.retain_symbols(&["USDJPY".to_owned(), "EURUSD".to_owned()].into_iter().collect());
        assert_eq!(tags(&outbox.take(10)), ["quote #1 \"EURUSD\" 1.0", "quote #2 \"USDJPY\" 1.0"]);
    }

    #[test]
    fn coalesced_snapshots_leave_no_hole_in_the_numbering() {
        let mut outbox = Outbox::new();
        for bid in [1.1, 1.2, 1.3] {
            outbox.push_event("quote", quote("EURUSD", bid)).unwrap();
        }
        outbox.push_event("tick", quote("EURUSD", 1.3)).unwrap();
        assert_eq!(seqs(&outbox.take(10)), [1, 2]);
        outbox.push_event("quote", quote("EURUSD", 1.4)).unwrap();
        outbox.push_event("quote", quote("EURUSD", 1.5)).unwrap();
        assert_eq!(seqs(&outbox.take(10)), [3]);
        assert_eq!(outbox.coalesced(), 3);
        assert_eq!(outbox.dropped(), 0);
    }

    /// The rule: each dropped event makes the next event to be numbered (the next to leave, which may have been
    /// queued before the drop) skip one number; later events count on by one.
    #[test]
    fn a_counted_drop_shows_up_as_a_gap_before_the_next_event_to_leave() {
        let mut outbox = Outbox::new();
        for ticket in 0..EVENT_QUEUE_CAP as u64 {
            outbox.push_event("deal_added", deal(ticket)).unwrap();
        }
        for _ in 0..2 {
            match outbox.push_event("deal_added", deal(99_999)) {
                Err(BridgeError::QueueFull(message)) => assert!(message.contains("deal_added dropped"), "{message}"),
                other => panic!("a full queue must drop the event: {other:?}"),
            }
        }
        assert_eq!(outbox.dropped(), 2);
        // Snapshots are not capped: they replace each other instead of piling up.
        outbox.push_event("quote", quote("EURUSD", 1.1)).unwrap();
        // A reply still gets through a full event queue.
        outbox.push(reply(1));

        let first = outbox.take(3);
        assert_eq!(seqs(&first), [3, 4, 5], "two drops, so the first event to leave skips 1 and 2");
        let rest = outbox.take(usize::MAX);
        let numbers = seqs(&rest);
        assert_eq!(numbers.len(), EVENT_QUEUE_CAP - 3 + 1);
        let expected: Vec<u64> = (6..6 + numbers.len() as u64).collect();
        assert_eq!(numbers, expected, "after the gap the numbers count on by one");
        assert!(matches!(rest[rest.len() - 2], BridgeMessage::Reply { id: 1, .. }));

        outbox.push_event("deal_added", deal(1)).unwrap();
        assert_eq!(seqs(&outbox.take(1)), [*expected.last().unwrap() + 1], "a gap is reported once");
    }
}
