//! The seeded feed: determinism, quote events, candles for every timeframe with history, tick history.

use metaapi_protocol::methods::*;
use metaapi_protocol::types::Timeframe;
use metaapi_terminal_sim::candles::bar_open;
use metaapi_terminal_sim::{Mode, Terminal, TerminalConfig};

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
    let spec = terminal.call::<GetSymbolSpec>(SymbolParams { symbol: "EURUSD".into() }).expect("spec");
    assert!((6..=14).contains(&spec.spread), "spread {}", spec.spread);
    let quote = terminal.call::<GetQuote>(SymbolParams { symbol: "EURUSD".into() }).expect("quote");
    assert!((quote.bid - 1.085).abs() < 0.01, "random walk stays near its start over a minute: {}", quote.bid);
}

#[test]
fn candles_for_every_timeframe_with_history() {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, 3));
    let to = terminal.now() + 180_000;
    terminal.advance(to);
    for timeframe in Timeframe::ALL {
        let params =
            GetCandlesParams { symbol: "EURUSD".into(), timeframe: *timeframe, from: None, to: None, count: Some(50) };
        let list = terminal.call::<GetCandles>(params).expect("candles");
        assert_eq!(list.candles.len(), 50, "{timeframe:?}");
        assert!(list.has_more, "{timeframe:?}: history goes further back");
        for pair in list.candles.windows(2) {
            assert!(pair[0].time < pair[1].time, "{timeframe:?}: oldest first");
        }
        for candle in &list.candles {
            assert!(candle.high >= candle.open.max(candle.close) && candle.low <= candle.open.min(candle.close));
            assert_eq!(bar_open(*timeframe, candle.time), candle.time, "{timeframe:?}: aligned");
        }
    }
    // The newest M1 candle is the one forming at the last tick (a bar opens with its first tick, as in MT).
    let last = terminal.call::<GetQuote>(SymbolParams { symbol: "EURUSD".into() }).expect("quote").time;
    let params =
        GetCandlesParams { symbol: "EURUSD".into(), timeframe: Timeframe::M1, from: None, to: None, count: Some(1) };
    let newest = terminal.call::<GetCandles>(params).expect("candles").candles;
    assert_eq!(newest[0].time, bar_open(Timeframe::M1, last));
    // A range query over the synthesized week before the start: `from` is last Monday 08:03 UTC, after that day's
    // bar opened (22:00 UTC the evening before, broker midnight), so Tuesday to Friday, no weekend, and today.
    let from = terminal.now() - 7 * 86_400_000;
    let params = GetCandlesParams {
        symbol: "EURUSD".into(),
        timeframe: Timeframe::D1,
        from: Some(from),
        to: Some(terminal.now()),
        count: None,
    };
    let days = terminal.call::<GetCandles>(params).expect("candles").candles;
    assert_eq!(days.len(), 5, "Tue-Fri of last week and today: {days:?}");
}

#[test]
fn tick_history_and_book_on_mt5() {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Netting, 5));
    let start = terminal.now();
    terminal.advance(start + 10_000);
    let params =
        GetTicksParams { symbol: "EURUSD".into(), from: start, to: None, count: Some(10), kind: TickKind::All };
    let ticks = terminal.call::<GetTicks>(params).expect("ticks");
    assert_eq!(ticks.ticks.len(), 10);
    assert!(ticks.has_more);
    let book = terminal.call::<GetBook>(SymbolParams { symbol: "EURUSD".into() }).expect("book");
    assert_eq!(book.entries.len(), 10);
    for pair in book.entries.windows(2) {
        assert!(pair[0].price > pair[1].price, "highest first");
    }
}
