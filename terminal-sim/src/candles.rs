//! Candles for every MT timeframe: built live from the feed, and synthesized back in time before the simulation
//! started so that charts have history.

use metaapi_protocol::methods::Candle;
use metaapi_protocol::types::{TimeMs, Timeframe};

use crate::rng::Rng;
use crate::symbols::{Instrument, round_to};
use crate::time::{broker_day_start, broker_month_start, broker_weekday, from_broker, to_broker};

/// Live closed candles kept per timeframe; older ones fall back to the synthesized history.
const LIVE_CAP: usize = 5000;

/// Open time (UTC) of the bar of `timeframe` that contains `time`, aligned on the broker's clock as MT does:
/// weeks start on Sunday, months on the 1st.
pub fn bar_open(timeframe: Timeframe, time: TimeMs) -> TimeMs {
    let broker = to_broker(time);
    let aligned = match timeframe {
        Timeframe::W1 => {
            let day = broker_day_start(broker);
            let weekday = broker_weekday(broker) as i64;
            day - weekday * 86_400_000
        }
        Timeframe::Mn1 => broker_month_start(broker),
        _ => {
            let length = timeframe.seconds() * 1000;
            broker - broker.rem_euclid(length)
        }
    };
    from_broker(aligned)
}

/// The bar before the one opening at `open`: the bar of the instant before it, so that across a DST change a D1
/// bar lasts 23 or 25 hours of UTC and the skipped broker hour has no H1 bar, as on a real server.
fn previous_bar_open(timeframe: Timeframe, open: TimeMs) -> TimeMs {
    bar_open(timeframe, open - 1)
}

/// One symbol's candles of one timeframe.
#[derive(Debug, Clone)]
pub struct CandleSeries {
    /// The timeframe.
    pub timeframe: Timeframe,
    live: Vec<Candle>,
    forming: Option<Candle>,
    last_update_event: TimeMs,
    /// Synthesized bars before the first live bar, newest first.
    history: Vec<Candle>,
    history_rng: Rng,
    history_done: bool,
}

/// What a tick did to a series: the candle to publish and whether it is closed.
pub type CandleChange = (Candle, bool);

impl CandleSeries {
    /// A series whose live part starts at `start` with price `price`.
    pub fn new(timeframe: Timeframe, start: TimeMs, price: f64, spread: u32, rng: Rng) -> CandleSeries {
        let open = bar_open(timeframe, start);
        let forming = Candle {
            time: open,
            open: price,
            high: price,
            low: price,
            close: price,
            tick_volume: 1,
            spread,
            real_volume: 0,
        };
        CandleSeries {
            timeframe,
            live: Vec::new(),
            forming: Some(forming),
            last_update_event: start,
            history: Vec::new(),
            history_rng: rng,
            history_done: false,
        }
    }

    /// Adds a tick; returns the candles to publish (a closed one and the new or updated forming one).
    pub fn on_tick(&mut self, time: TimeMs, bid: f64, spread: u32) -> Vec<CandleChange> {
        let open = bar_open(self.timeframe, time);
        let mut changes = Vec::new();
        match self.forming.as_mut() {
            Some(candle) if candle.time == open => {
                candle.high = candle.high.max(bid);
                candle.low = candle.low.min(bid);
                candle.close = bid;
                candle.tick_volume += 1;
                candle.spread = candle.spread.min(spread);
                // Updates are throttled to one per second per timeframe; the close is always published.
                if time - self.last_update_event >= 1000 {
                    self.last_update_event = time;
                    changes.push((candle.clone(), false));
                }
            }
            _ => {
                if let Some(closed) = self.forming.take() {
                    changes.push((closed.clone(), true));
                    self.live.push(closed);
                    if self.live.len() > LIVE_CAP {
                        let excess = self.live.len() - LIVE_CAP;
                        self.live.drain(..excess);
                    }
                }
                let candle = Candle {
                    time: open,
                    open: bid,
                    high: bid,
                    low: bid,
                    close: bid,
                    tick_volume: 1,
                    spread,
                    real_volume: 0,
                };
                self.last_update_event = time;
                changes.push((candle.clone(), false));
                self.forming = Some(candle);
            }
        }
        changes
    }

    /// Every candle known without synthesizing more, oldest first: history, live, forming.
    fn oldest_known(&self) -> Option<&Candle> {
        self.history.last().or(self.live.first()).or(self.forming.as_ref())
    }

    /// Synthesizes history back until it covers `from` or holds `count` bars before the live part, within
    /// `max_bars`.
    pub fn ensure_history(&mut self, instrument: &Instrument, from: Option<TimeMs>, count: usize, max_bars: usize) {
        loop {
            if self.history_done || self.history.len() >= max_bars {
                return;
            }
            let covered = match (from, self.oldest_known()) {
                (Some(from), Some(oldest)) => oldest.time <= from,
                _ => false,
            };
            let enough = self.history.len() + self.live.len() + 1 >= count;
            if covered || (from.is_none() && enough) {
                return;
            }
            self.synthesize_one(instrument);
        }
    }

    fn synthesize_one(&mut self, instrument: &Instrument) {
        let Some(newer) = self.oldest_known().cloned() else {
            self.history_done = true;
            return;
        };
        let mut open_time = previous_bar_open(self.timeframe, newer.time);
        // Skip bars when the market was closed (weekends, daily breaks); give up after a long gap.
        let mut skipped = 0;
        while !self.bar_has_quotes(instrument, open_time) {
            open_time = previous_bar_open(self.timeframe, open_time);
            skipped += 1;
            if skipped > 10_000 {
                self.history_done = true;
                return;
            }
        }
        let spec = &instrument.spec;
        let seconds = self.timeframe.seconds() as f64;
        let sigma = instrument.vol_per_sqrt_s * seconds.sqrt();
        let rng = &mut self.history_rng;
        let close = newer.open;
        let open = close * (-sigma * rng.normal()).exp();
        let wick = sigma * 0.5;
        let high = open.max(close) * (1.0 + wick * rng.normal().abs());
        let low = open.min(close) * (1.0 - wick * rng.normal().abs());
        let round = |price: f64| round_to(price, spec.tick_size, spec.digits);
        let ticks = (seconds * 1000.0 / instrument.tick_interval_ms as f64 * (0.5 + rng.unit())).max(1.0);
        self.history.push(Candle {
            time: open_time,
            open: round(open),
            high: round(high),
            low: round(low),
            close: round(close),
            tick_volume: ticks as u64,
            spread: instrument.spread_points.0,
            real_volume: 0,
        });
    }

    fn bar_has_quotes(&self, instrument: &Instrument, open: TimeMs) -> bool {
        match self.timeframe {
            Timeframe::W1 | Timeframe::Mn1 => true,
            Timeframe::D1 => instrument.quoting(to_broker(open) + 12 * 3_600_000),
            timeframe => {
                let length = timeframe.seconds() * 1000;
                let broker = to_broker(open);
                [0, length / 2, length - 60_000].iter().any(|offset| instrument.quoting(broker + offset))
            }
        }
    }

    /// Every candle now known, oldest first.
    pub fn all(&self) -> impl Iterator<Item = &Candle> {
        self.history.iter().rev().chain(self.live.iter()).chain(self.forming.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::utc_ms;

    #[test]
    fn daily_bars_open_at_broker_midnight_on_both_sides_of_a_dst_change() {
        // Broker midnight is 21:00 UTC in summer and 22:00 UTC in winter; US DST began 2024-03-10 07:00 UTC.
        let summer_bar = bar_open(Timeframe::D1, utc_ms(2024, 3, 11, 12, 0, 0));
        assert_eq!(summer_bar, utc_ms(2024, 3, 10, 21, 0, 0));
        let switch_day = previous_bar_open(Timeframe::D1, summer_bar);
        assert_eq!(switch_day, utc_ms(2024, 3, 9, 22, 0, 0), "the switch day lasts 23 hours");
        assert_eq!(previous_bar_open(Timeframe::D1, switch_day), utc_ms(2024, 3, 8, 22, 0, 0));
        assert_eq!(previous_bar_open(Timeframe::H1, utc_ms(2024, 3, 10, 7, 0, 0)), utc_ms(2024, 3, 10, 6, 0, 0));
    }
}
