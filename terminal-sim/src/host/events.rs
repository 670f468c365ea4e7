//! An EA's event queue, as the terminal keeps one per program: events wait in the order they arrived and the
//! program handles one at a time, so a tick that arrives while a handler runs is handled before any event queued
//! after it.
//!
//! What the queue refuses follows the MQL5 reference (Program Running, www.mql5.com/en/docs/runtime/running) and the
//! MQL4 reference's same text (docs.mql4.com/runtime/running): a NewTick is not queued while one is queued or being
//! handled, nor a Timer; a ChartEvent is not queued while one "of this type" is queued or being handled, which the
//! MQL5 Book (mql5.com/en/book/applications/events) reads as one of the same id, so a custom event with the id of
//! the one being handled is discarded and one with another id is queued. Queues have "a limited but sufficient
//! size", and on overflow "new events are discarded without being set into a queue"; the reference gives no
//! number, so [`QUEUE_CAPACITY`] is this terminal's. A BookEvent for a symbol already queued is not queued again
//! (the reference names no rule; OnBookEvent reads the current book, so a second one would show the same).

use std::collections::VecDeque;

use metaapi_protocol::types::TimeMs;

/// How many events one program's queue holds; the references give no number.
pub const QUEUE_CAPACITY: usize = 1024;

/// `sparam` of a custom event keeps at most this many characters (EventChartCustom's reference page).
pub const SPARAM_MAX_CHARS: usize = 63;

/// One event the terminal delivers to an EA.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// NewTick of the chart symbol; OnTick reads the latest quote.
    Tick,
    /// BookEvent of a symbol the program added with MarketBookAdd.
    Book(String),
    /// Timer.
    Timer,
    /// ChartEvent; this terminal has no window, so only the custom ones of EventChartCustom.
    Chart(ChartEvent),
}

/// OnChartEvent's arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartEvent {
    /// CHARTEVENT_CUSTOM + the custom event id.
    pub id: i32,
    /// `lparam`.
    pub lparam: i64,
    /// `dparam`.
    pub dparam: f64,
    /// `sparam`, truncated to [`SPARAM_MAX_CHARS`].
    pub sparam: String,
}

impl ChartEvent {
    /// A custom event as EventChartCustom makes it: `sparam` cut to its first 63 UTF-16 code units (MQL's
    /// characters).
    pub fn custom(id: i32, lparam: i64, dparam: f64, sparam: &str) -> ChartEvent {
        let units: Vec<u16> = sparam.encode_utf16().take(SPARAM_MAX_CHARS).collect();
        ChartEvent { id, lparam, dparam, sparam: String::from_utf16_lossy(&units) }
    }
}

/// The queue of one program.
#[derive(Debug, Default)]
pub struct EventQueue {
    queued: VecDeque<Event>,
    /// The event whose handler runs; for the refusal rules it counts as queued.
    processing: Option<Event>,
    /// Custom events the running handler posted, with the terminal time of each post. Whether each is queued is
    /// decided at the call (EventChartCustom returns it); they join the queue once the handler returns, after the
    /// ticks and book changes that arrived before them.
    posted: Vec<(TimeMs, ChartEvent)>,
}

/// Whether `new` is of the same kind as `old` for the refusal rules.
fn same_kind(old: &Event, new: &Event) -> bool {
    match (old, new) {
        (Event::Tick, Event::Tick) | (Event::Timer, Event::Timer) => true,
        (Event::Book(old), Event::Book(new)) => old == new,
        (Event::Chart(old), Event::Chart(new)) => old.id == new.id,
        _ => false,
    }
}

impl EventQueue {
    /// How many events wait, counting the posts not yet joined.
    pub fn len(&self) -> usize {
        self.queued.len() + self.posted.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn refuses(&self, event: &Event) -> bool {
        if self.len() >= QUEUE_CAPACITY {
            return true;
        }
        let waiting = self.processing.iter().chain(self.queued.iter()).any(|old| same_kind(old, event));
        let posted = matches!(event, Event::Chart(new) if self.posted.iter().any(|(_, old)| old.id == new.id));
        waiting || posted
    }

    /// An event the terminal generated (a tick, a book change, the timer) arrives; false when the rules discard it.
    pub fn arrive(&mut self, event: Event) -> bool {
        if self.refuses(&event) {
            return false;
        }
        self.queued.push_back(event);
        true
    }

    /// EventChartCustom from the program's handler at terminal time `at`: true when the event will be queued.
    pub fn post(&mut self, at: TimeMs, event: ChartEvent) -> bool {
        let event = Event::Chart(event);
        if self.refuses(&event) {
            return false;
        }
        let Event::Chart(event) = event else { unreachable!("built as a chart event above") };
        self.posted.push((at, event));
        true
    }

    /// The custom events posted since the last call, oldest first, with their times; the caller queues each with
    /// [`EventQueue::join_posted`] after the arrivals that came before it.
    pub fn take_posted(&mut self) -> Vec<(TimeMs, ChartEvent)> {
        std::mem::take(&mut self.posted)
    }

    /// Queues a custom event [`EventQueue::post`] accepted (the rules were applied then).
    pub fn join_posted(&mut self, event: ChartEvent) {
        self.queued.push_back(Event::Chart(event));
    }

    /// The next event to handle; it counts as being handled until [`EventQueue::handled`].
    pub fn take_next(&mut self) -> Option<Event> {
        let event = self.queued.pop_front()?;
        self.processing = Some(event.clone());
        Some(event)
    }

    /// The handler of the event [`EventQueue::take_next`] gave returned, and what arrived meanwhile was queued.
    pub fn handled(&mut self) {
        self.processing = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(n: i32) -> ChartEvent {
        ChartEvent::custom(1000 + n, i64::from(n), 0.0, "")
    }

    #[test]
    fn events_are_handled_in_the_order_they_arrived() {
        let mut queue = EventQueue::default();
        assert!(queue.post(5, custom(0)));
        for (_, posted) in queue.take_posted() {
            queue.join_posted(posted);
        }
        assert!(queue.arrive(Event::Timer));
        assert!(queue.arrive(Event::Book("EURUSD".into())));
        assert_eq!(queue.take_next(), Some(Event::Chart(custom(0))));
        queue.handled();
        assert_eq!(queue.take_next(), Some(Event::Timer));
        queue.handled();
        assert_eq!(queue.take_next(), Some(Event::Book("EURUSD".into())));
        queue.handled();
        assert_eq!(queue.take_next(), None);
    }

    #[test]
    fn a_tick_or_timer_is_not_queued_while_one_is_queued_or_being_handled() {
        let mut queue = EventQueue::default();
        assert!(queue.arrive(Event::Tick));
        assert!(!queue.arrive(Event::Tick), "one NewTick is queued already");
        assert!(queue.arrive(Event::Timer));
        assert!(!queue.arrive(Event::Timer), "one Timer is queued already");
        assert_eq!(queue.take_next(), Some(Event::Tick));
        assert!(!queue.arrive(Event::Tick), "a NewTick is being handled");
        queue.handled();
        assert!(queue.arrive(Event::Tick), "once handled, the next tick is queued");
        assert_eq!(queue.take_next(), Some(Event::Timer));
        assert!(!queue.arrive(Event::Timer), "the Timer is being handled");
    }

    #[test]
    fn a_custom_event_with_the_id_being_handled_is_discarded_and_another_id_is_queued() {
        let mut queue = EventQueue::default();
        assert!(queue.post(0, custom(0)));
        assert!(!queue.post(0, custom(0)), "the same id is posted already");
        for (_, posted) in queue.take_posted() {
            queue.join_posted(posted);
        }
        assert_eq!(queue.take_next(), Some(Event::Chart(custom(0))));
        assert!(!queue.post(1, custom(0)), "the same id is being handled");
        assert!(queue.post(1, custom(1)), "another id is queued");
        queue.handled();
        assert!(queue.post(2, custom(0)), "once handled, the id is free again");
    }

    #[test]
    fn a_full_queue_discards_new_events() {
        let mut queue = EventQueue::default();
        for n in 0..QUEUE_CAPACITY as i32 {
            assert!(queue.post(0, custom(n)), "event {n} fits");
        }
        assert!(!queue.post(0, custom(QUEUE_CAPACITY as i32)), "a post beyond the capacity");
        assert!(!queue.arrive(Event::Tick), "a tick beyond the capacity");
        assert_eq!(queue.len(), QUEUE_CAPACITY);
    }

    #[test]
    fn sparam_keeps_its_first_63_characters() {
        let long = "é".repeat(70);
        assert_eq!(ChartEvent::custom(1000, 0, 0.0, &long).sparam.chars().count(), SPARAM_MAX_CHARS);
        assert_eq!(ChartEvent::custom(1000, 0, 0.0, "short").sparam, "short");
    }
}
