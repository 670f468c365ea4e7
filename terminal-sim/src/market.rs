//! The price feed: a seeded random walk per symbol with floating spreads, ticks only inside quote sessions, a
//! tick history ring and candles for every timeframe.

use std::collections::VecDeque;

use metaapi_protocol::methods::{BookEntry, BookSide, Candle, MAX_PAGE_ITEMS, Quote, Tick};
use metaapi_protocol::notifications::{CandleEvent, TickEvent};
use metaapi_protocol::types::{TimeMs, Timeframe};

use crate::candles::CandleSeries;
use crate::event::Event;
use crate::rng::{Rng, name_stream};

/// Price levels on each side of the depth of market.
pub const BOOK_DEPTH: u32 = 5;
use crate::symbols::Instrument;
use crate::time::{broker_time_string, to_broker};

/// Ticks kept per symbol for `get_ticks`.
pub const TICK_RING: usize = 20_000;

/// MT tick flags: bid and ask changed.
const TICK_FLAG_BID_ASK: u32 = 2 | 4;

/// One symbol's market.
#[derive(Debug, Clone)]
pub struct SymbolMarket {
    /// The instrument.
    pub instrument: Instrument,
    /// Current bid.
    pub bid: f64,
    /// Current ask.
    pub ask: f64,
    /// Time of the current quote.
    pub time: TimeMs,
    /// In Market Watch.
    pub selected: bool,
    mid: f64,
    rng: Rng,
    /// Draws the ticks synthesized before the first kept one, apart from the live feed so history does not shift it.
    tick_history_rng: Rng,
    next_tick: TimeMs,
    ticks: VecDeque<Tick>,
    candles: Vec<CandleSeries>,
}

impl SymbolMarket {
    /// The market of `instrument` at `start` under `seed`.
    pub fn new(instrument: Instrument, seed: u64, start: TimeMs) -> SymbolMarket {
        let stream = name_stream(&instrument.spec.symbol);
        let mut rng = Rng::new(seed, stream);
        let mid = instrument.start_mid;
        let spread = instrument.spread_points.0;
        let point = instrument.spec.point;
        let bid = instrument.normalize(mid - f64::from(spread) * point / 2.0);
        let ask = instrument.normalize(bid + f64::from(spread) * point);
        let candles = Timeframe::ALL
            .iter()
            .enumerate()
            .map(|(index, timeframe)| {
                let history_rng = Rng::new(seed, stream ^ (0x1000 + index as u64));
                CandleSeries::new(*timeframe, start, bid, spread, history_rng)
            })
            .collect();
        let first_gap = (instrument.tick_interval_ms as f64 * rng.unit()) as i64 + 1;
        SymbolMarket {
            bid,
            ask,
            time: start,
            selected: true,
            mid,
            next_tick: start + first_gap,
            ticks: VecDeque::from([Tick { time: start, bid, ask, last: 0.0, volume: 0.0, flags: TICK_FLAG_BID_ASK }]),
            candles,
            rng,
            tick_history_rng: Rng::new(seed, stream ^ 0x2000),
            instrument,
        }
    }

    /// The symbol name.
    pub fn name(&self) -> &str {
        &self.instrument.spec.symbol
    }

    /// When this symbol ticks next.
    pub fn next_tick(&self) -> TimeMs {
        self.next_tick
    }

    /// Current spread in points.
    pub fn spread_points(&self) -> u32 {
        ((self.ask - self.bid) / self.instrument.spec.point).round() as u32
    }

    /// The current quote.
    pub fn quote(&self) -> Quote {
        Quote {
            symbol: self.name().to_owned(),
            bid: self.bid,
            ask: self.ask,
            last: None,
            time: self.time,
            broker_time: broker_time_string(self.time),
        }
    }

    /// Produces the feed's next tick at `next_tick()` (if the market is quoting then) and schedules the one after.
    pub fn step(&mut self, events: &mut Vec<Event>) -> bool {
        let time = self.next_tick;
        let gap = (self.instrument.tick_interval_ms as f64 * (0.5 + self.rng.unit())) as i64;
        self.next_tick = time + gap.max(1);
        if !self.instrument.quoting(to_broker(time)) {
            return false;
        }
        let dt_s = ((time - self.time).max(1) as f64 / 1000.0).min(60.0);
        self.mid *= (self.instrument.vol_per_sqrt_s * dt_s.sqrt() * self.rng.normal()).exp();
        let (low, high) = self.instrument.spread_points;
        let spread = self.rng.range(low, high);
        let point = self.instrument.spec.point;
        let bid = self.instrument.normalize(self.mid - f64::from(spread) * point / 2.0);
        let ask = self.instrument.normalize(bid + f64::from(spread) * point);
        self.apply(time, bid, ask, events);
        true
    }

    /// Sets the quote at `time` (a scripted price path in tests), as if the feed had ticked.
    pub fn set_quote(&mut self, time: TimeMs, bid: f64, ask: f64, events: &mut Vec<Event>) {
        self.mid = (bid + ask) / 2.0;
        self.apply(time, self.instrument.normalize(bid), self.instrument.normalize(ask), events);
    }

    fn apply(&mut self, time: TimeMs, bid: f64, ask: f64, events: &mut Vec<Event>) {
        self.bid = bid;
        self.ask = ask;
        self.time = time;
        let tick = Tick { time, bid, ask, last: 0.0, volume: 0.0, flags: TICK_FLAG_BID_ASK };
        if self.ticks.len() == TICK_RING {
            self.ticks.pop_front();
        }
        self.ticks.push_back(tick.clone());
        let symbol = self.name().to_owned();
        events.push(Event::new("quote", &self.quote()));
        events.push(Event::new("tick", &TickEvent { symbol: symbol.clone(), tick }));
        let spread = self.spread_points();
        for series in &mut self.candles {
            let timeframe = series.timeframe;
            for (candle, closed) in series.on_tick(time, bid, spread) {
                events.push(Event::new("candle", &CandleEvent { symbol: symbol.clone(), timeframe, candle, closed }));
            }
        }
    }

    /// Ticks in `[from, to]`, oldest first, at most `count` (10000 without one), and with more in the range the time
    /// of the first tick left out. A page never ends inside a millisecond: its last millisecond's ticks are left for
    /// the next page, unless the page holds nothing else, when all of that millisecond is returned.
    pub fn ticks(&mut self, from: TimeMs, to: Option<TimeMs>, count: Option<u32>) -> (Vec<Tick>, Option<TimeMs>) {
        self.ensure_tick_history(from);
        let limit = count.unwrap_or(MAX_PAGE_ITEMS) as usize;
        let matching: Vec<&Tick> =
            self.ticks.iter().filter(|tick| tick.time >= from && to.is_none_or(|to| tick.time <= to)).collect();
        if matching.len() <= limit {
            return (matching.into_iter().cloned().collect(), None);
        }
        let boundary = matching[limit].time;
        let mut end = limit;
        while end > 0 && matching[end - 1].time == boundary {
            end -= 1;
        }
        if end == 0 {
            end = matching.iter().take_while(|tick| tick.time == boundary).count();
        }
        let next_from = matching.get(end).map(|tick| tick.time);
        (matching[..end].iter().map(|tick| (*tick).clone()).collect(), next_from)
    }

    /// Synthesizes ticks back in time before the oldest one kept, as a terminal's tick history reaches back before
    /// the simulation started, until `from` is covered or the ring is full.
    fn ensure_tick_history(&mut self, from: TimeMs) {
        let Some(oldest) = self.ticks.front().cloned() else { return };
        let interval = self.instrument.tick_interval_ms as f64;
        let sigma = self.instrument.vol_per_sqrt_s;
        let (low, high) = self.instrument.spread_points;
        let point = self.instrument.spec.point;
        let (mut time, mut mid) = (oldest.time, (oldest.bid + oldest.ask) / 2.0);
        let mut closed_minutes = 0;
        while self.ticks.len() < TICK_RING && time > from {
            let rng = &mut self.tick_history_rng;
            let earlier = time - (interval * (0.5 + rng.unit())).max(1.0) as i64;
            if !self.instrument.quoting(to_broker(earlier)) {
                // Markets close over weekends and daily breaks: step over the gap a minute at a time, not forever.
                closed_minutes += 1;
                if closed_minutes > 200_000 {
                    return;
                }
                time -= 60_000;
                continue;
            }
            let dt_s = ((time - earlier) as f64 / 1000.0).min(60.0);
            mid *= (sigma * dt_s.sqrt() * rng.normal()).exp();
            let spread = rng.range(low, high);
            let bid = self.instrument.normalize(mid - f64::from(spread) * point / 2.0);
            let ask = self.instrument.normalize(bid + f64::from(spread) * point);
            self.ticks.push_front(Tick { time: earlier, bid, ask, last: 0.0, volume: 0.0, flags: TICK_FLAG_BID_ASK });
            time = earlier;
        }
    }

    /// Candles of `timeframe` per the `get_candles` rules, oldest first, whether more exist in the range (with
    /// `count` alone: older ones), and in a range the open time of the first candle left out.
    pub fn candles(
        &mut self,
        timeframe: Timeframe,
        from: Option<TimeMs>,
        to: Option<TimeMs>,
        count: Option<u32>,
        max_bars: usize,
    ) -> (Vec<Candle>, bool, Option<TimeMs>) {
        let index = Timeframe::ALL.iter().position(|known| *known == timeframe).unwrap_or(0);
        let series = &mut self.candles[index];
        let limit = count.unwrap_or(MAX_PAGE_ITEMS) as usize;
        series.ensure_history(&self.instrument, from, limit + 1, max_bars);
        match from {
            None => {
                let all: Vec<&Candle> = series.all().collect();
                let start = all.len().saturating_sub(limit);
                (all[start..].iter().map(|candle| (*candle).clone()).collect(), start > 0, None)
            }
            Some(from) => {
                let mut matching =
                    series.all().filter(|candle| candle.time >= from && to.is_none_or(|to| candle.time <= to));
                let candles: Vec<Candle> = matching.by_ref().take(limit).cloned().collect();
                let next_from = matching.next().map(|candle| candle.time);
                (candles, next_from.is_some(), next_from)
            }
        }
    }
}

impl SymbolMarket {
    /// The depth of market at the current quote, as `MarketBookGet` returns it: every level sorted by price from
    /// the highest down, so the sell levels come first (best ask last of them), then the buy levels from the best
    /// bid down. Levels sit a half spread apart (at least a point); their volumes are drawn from the quote's time,
    /// so the book moves with every tick while a seed still fixes it.
    pub fn book(&self) -> Vec<BookEntry> {
        let point = self.instrument.spec.point;
        let step = point * f64::from(self.spread_points().max(2)) / 2.0;
        let volume_step = self.instrument.spec.volume_step.max(0.01);
        let volume_base = self.instrument.spec.volume_min.max(0.1) * 10.0;
        let mut draw = Rng::new(self.time as u64, name_stream(self.name()));
        let mut volume = |level: u32| {
            let raw = volume_base * f64::from(level + 1) * (0.5 + draw.unit());
            ((raw / volume_step).round().max(1.0) * volume_step * 1e8).round() / 1e8
        };
        let sells: Vec<BookEntry> = (0..BOOK_DEPTH)
            .map(|level| BookEntry {
                side: BookSide::Sell,
                price: self.instrument.normalize(self.ask + step * f64::from(level)),
                volume: volume(level),
            })
            .collect();
        let mut entries: Vec<BookEntry> = sells.into_iter().rev().collect();
        entries.extend((0..BOOK_DEPTH).map(|level| BookEntry {
            side: BookSide::Buy,
            price: self.instrument.normalize(self.bid - step * f64::from(level)),
            volume: volume(level),
        }));
        entries
    }

    /// Moves the schedule past a time jump without producing ticks.
    pub fn skip_to(&mut self, now: TimeMs) {
        if self.next_tick < now {
            self.next_tick = now + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mode::Mode;
    use crate::symbols::catalogue;
    use crate::time::utc_ms;

    fn eurusd() -> SymbolMarket {
        let instrument = catalogue(Mode::Mt5Hedging).into_iter().find(|i| i.spec.symbol == "EURUSD").unwrap();
        SymbolMarket::new(instrument, 7, utc_ms(2024, 1, 8, 8, 0, 0))
    }

    #[test]
    fn book_is_sorted_from_the_highest_price_with_the_quote_at_the_inside() {
        let market = eurusd();
        let book = market.book();
        assert_eq!(book.len(), 2 * BOOK_DEPTH as usize);
        assert!(book.windows(2).all(|pair| pair[0].price > pair[1].price), "{book:?}");
        let (sells, buys) = book.split_at(BOOK_DEPTH as usize);
        assert!(sells.iter().all(|entry| entry.side == BookSide::Sell));
        assert!(buys.iter().all(|entry| entry.side == BookSide::Buy));
        assert_eq!(sells.last().unwrap().price, market.ask);
        assert_eq!(buys[0].price, market.bid);
        assert!(book.iter().all(|entry| entry.volume > 0.0));
    }

    #[test]
    fn book_moves_with_the_feed() {
        let mut market = eurusd();
        let before = market.book();
        let mut events = Vec::new();
        while !market.step(&mut events) {}
        let after = market.book();
        assert_ne!(before, after);
        assert_eq!(after[BOOK_DEPTH as usize].price, market.bid);
        assert_eq!(market.book(), after, "the same quote gives the same book");
    }

    /// A market whose only ticks are at `times` (UTC ms), several per millisecond where a time repeats.
    fn ticking_at(times: &[TimeMs]) -> SymbolMarket {
        let mut market = eurusd();
        let mut events = Vec::new();
        for (index, time) in times.iter().enumerate() {
            let bid = 1.085 + index as f64 * 0.00001;
            market.set_quote(*time, bid, bid + 0.0001, &mut events);
        }
        market
    }

    fn times(ticks: &[Tick]) -> Vec<TimeMs> {
        ticks.iter().map(|tick| tick.time).collect()
    }

    #[test]
    fn a_tick_page_never_splits_a_millisecond() {
        let start = utc_ms(2024, 1, 8, 8, 0, 0);
        let mut market = ticking_at(&[start + 1, start + 2, start + 2, start + 2, start + 3]);
        // Three ticks fit, but the third shares its millisecond with the fourth: the page ends before it.
        let (page, next_from) = market.ticks(start + 1, None, Some(3));
        assert_eq!((times(&page), next_from), (vec![start + 1], Some(start + 2)));
        // A page that would hold nothing else takes the whole millisecond, more than `count`.
        let (page, next_from) = market.ticks(start + 2, None, Some(1));
        assert_eq!((times(&page), next_from), (vec![start + 2; 3], Some(start + 3)));
        let (page, next_from) = market.ticks(start + 3, None, Some(1));
        assert_eq!((times(&page), next_from), (vec![start + 3], None));
    }

    #[test]
    fn tick_history_reaches_back_before_the_start_and_pages_without_gaps() {
        let start = utc_ms(2024, 1, 8, 8, 0, 0);
        let mut market = eurusd();
        let from = start - 1_800_000;
        let (whole, more) = market.ticks(from, Some(start), None);
        assert!(more.is_none() && whole.len() > 1000, "half an hour of history: {} ticks", whole.len());
        assert!(whole.first().is_some_and(|tick| tick.time >= from) && whole.windows(2).all(|w| w[0].time < w[1].time));
        let (mut paged, mut cursor) = (Vec::new(), Some(from));
        while let Some(page_from) = cursor {
            let (page, next_from) = market.ticks(page_from, Some(start), Some(250));
            paged.extend(page);
            cursor = next_from;
        }
        assert_eq!(paged, whole);
    }
}
