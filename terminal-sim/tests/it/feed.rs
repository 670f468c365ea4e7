//! The seeded feed: determinism, quote events, candles for every timeframe with history, tick history.

use metaapi_protocol::methods::Quote;
use metaapi_protocol::types::Timeframe;
use metaapi_terminal_sim::candles::bar_open;
use metaapi_terminal_sim::market::SymbolMarket;
use metaapi_terminal_sim::terminal::MAX_BARS;
use metaapi_terminal_sim::{Mode, Terminal, TerminalConfig};

fn eurusd(terminal: &mut Terminal) -> &mut SymbolMarket {
    terminal.symbol_market("EURUSD").expect("EURUSD")
}

fn run(seed: u64, seconds: i64) -> Vec<(String, serde_json::Value)> {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, seed));
    let to = terminal.now() + seconds * 1000;
    terminal.advance(to).into_iter().map(|event| (event.name.to_owned(), event.data)).collect()
}

#[test]
fn same_seed_same_feed() {
    let first = run(42, 30);
    assert_eq!(first, run(42, 30));
    assert_ne!(first, run(43, 30));
    let quotes = first.iter().filter(|(name, _)| name == "quote").count();
    // Six symbols tick about every 250 to 500 ms: a few hundred quotes in 30 s.
    assert!(quotes > 200, "{quotes} quotes");
    for (name, data) in &first {
        if name == "quote" {
            let quote: Quote = serde_json::from_value(data.clone()).expect("quote");
            assert!(quote.ask > quote.bid, "{quote:?}");
        }
    }
}

#[test]
fn spreads_stay_in_the_symbol_range() {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, 7));
    let to = terminal.now() + 60_000;
    terminal.advance(to);
    let spec = terminal.symbol_spec("EURUSD").expect("spec");
    assert!((6..=14).contains(&spec.spread), "spread {}", spec.spread);
    let quote = terminal.market("EURUSD").expect("EURUSD").quote();
    assert!((quote.bid - 1.085).abs() < 0.01, "random walk stays near its start over a minute: {}", quote.bid);
}

#[test]
fn candles_for_every_timeframe_with_history() {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, 3));
    let to = terminal.now() + 180_000;
    terminal.advance(to);
    for timeframe in Timeframe::ALL {
        let (candles, has_more, _) = eurusd(&mut terminal).candles(*timeframe, None, None, Some(50), MAX_BARS);
        assert_eq!(candles.len(), 50, "{timeframe:?}");
        assert!(has_more, "{timeframe:?}: history goes further back");
        for pair in candles.windows(2) {
            assert!(pair[0].time < pair[1].time, "{timeframe:?}: oldest first");
        }
        for candle in &candles {
            assert!(candle.high >= candle.open.max(candle.close) && candle.low <= candle.open.min(candle.close));
            assert_eq!(bar_open(*timeframe, candle.time), candle.time, "{timeframe:?}: aligned");
        }
    }
    // The newest M1 candle is the one forming at the last tick (a bar opens with its first tick, as in MT).
    let last = eurusd(&mut terminal).quote().time;
    let (newest, ..) = eurusd(&mut terminal).candles(Timeframe::M1, None, None, Some(1), MAX_BARS);
    assert_eq!(newest[0].time, bar_open(Timeframe::M1, last));
    // A range query over the synthesized week before the start: `from` is last Monday 08:03 UTC, after that day's
    // bar opened (22:00 UTC the evening before, broker midnight), so Tuesday to Friday, no weekend, and today.
    let from = terminal.now() - 7 * 86_400_000;
    let now = terminal.now();
    let (days, ..) = eurusd(&mut terminal).candles(Timeframe::D1, Some(from), Some(now), None, MAX_BARS);
    assert_eq!(days.len(), 5, "Tue-Fri of last week and today: {days:?}");
}

#[test]
fn tick_history_and_book_on_mt5() {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Netting, 5));
    let start = terminal.now();
    terminal.advance(start + 10_000);
    let (ticks, next_from) = eurusd(&mut terminal).ticks(start, None, Some(10));
    assert_eq!(ticks.len(), 10);
    assert!(next_from.is_some(), "more ticks after the page");
    let book = eurusd(&mut terminal).book();
    assert_eq!(book.len(), 10);
    for pair in book.windows(2) {
        assert!(pair[0].price > pair[1].price, "highest first");
    }
}
