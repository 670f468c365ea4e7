//! Broker time through the shipped MT5 and MT4 EAs (issue 15, Part 2): one rounded, DST-aware UTC offset that holds
//! over a weekend without quotes and across the broker's daylight saving changes (spring and autumn), and quote,
//! tick, candle and deal times in UTC that are right on both sides of them.

use metaapi_demo::Demo;
use metaapi_e2e::rpc;
use metaapi_protocol::types::TimeMs;
use metaapi_terminal_sim::time::utc_ms;
use metaapi_terminal_sim::{BridgeAbi, Mode, SimHandle, start};
use serde_json::{Value, json};

use crate::support::{WAIT, WsPeer, eventually, own_terminal_config, start_demo};

/// A simulated terminal of `mode` whose clock starts at `start_time` (UTC ms), with the shipped EA linked to the demo
/// under a token of its own; returns once the EA answers. Tests drive its clock and broker through the handle.
pub(crate) async fn start_sim(demo: &Demo, mode: Mode, start_time: Option<TimeMs>) -> (SimHandle, String) {
    let (mut config, token) = own_terminal_config(demo, mode, &format!("{mode:?}-{start_time:?}"));
    config.start_time = start_time;
    let sim = start(BridgeAbi::linked(), config).expect("the terminal starts");
    eventually("the EA links", || async {
        let answer = rpc(&demo.url, &token, "get_server_time", json!({})).await?;
        answer.body.get("result").cloned().ok_or_else(|| answer.body.to_string())
    })
    .await;
    (sim, token)
}

/// Calls `method` with the terminal's token and returns its result, failing the test with the error otherwise.
pub(crate) async fn call(demo: &Demo, token: &str, method: &str, params: Value) -> Value {
    let answer = rpc(&demo.url, token, method, params.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    answer.body.get("result").cloned().unwrap_or_else(|| panic!("{method} {params}: {}", answer.body))
}

fn number(value: &Value, key: &str) -> i64 {
    value[key].as_i64().unwrap_or_else(|| panic!("no {key} in {value}"))
}

/// UTC ms of a `YYYY-MM-DD HH:MM:SS.mmm` broker time read as if it were UTC (the broker's wall clock).
fn wall_clock_ms(text: &str) -> i64 {
    let separators: Vec<(usize, char)> =
        text.char_indices().filter(|(_, character)| !character.is_ascii_digit()).collect();
    assert_eq!(
        (text.len(), separators),
        (23, vec![(4, '-'), (7, '-'), (10, ' '), (13, ':'), (16, ':'), (19, '.')]),
        "not the protocol's YYYY-MM-DD HH:MM:SS.mmm: {text}"
    );
    let field = |range: std::ops::Range<usize>| -> u32 {
        text.get(range).and_then(|digits| digits.parse().ok()).unwrap_or_else(|| panic!("not a broker time: {text}"))
    };
    utc_ms(i64::from(field(0..4)), field(5..7), field(8..10), field(11..13), field(14..16), field(17..19))
}

/// The server time, checked for consistency: the offset is the one expected, and the broker's wall clock is UTC plus
/// that offset (to the second its two readings may straddle).
async fn server_time(demo: &Demo, token: &str, offset_s: i64, what: &str) -> i64 {
    let time = call(demo, token, "get_server_time", json!({})).await;
    assert_eq!(number(&time, "broker_utc_offset_s"), offset_s, "{what}: {time}");
    let now = number(&time, "time");
    let broker = wall_clock_ms(time["broker_time"].as_str().expect("a broker time"));
    assert!((broker - (now + offset_s * 1000)).abs() <= 2000, "{what}: the broker clock is not UTC + offset: {time}");
    now
}

/// Waits until the terminal's UTC clock reached `utc`.
async fn until_clock(demo: &Demo, token: &str, utc: TimeMs) {
    eventually("the terminal's clock moves on", || async {
        let time = call(demo, token, "get_server_time", json!({})).await;
        if number(&time, "time") >= utc { Ok(()) } else { Err(time.to_string()) }
    })
    .await;
}

/// Times of the deals of `position_id`, oldest first.
async fn deal_times(demo: &Demo, token: &str, position_id: &str, from: TimeMs) -> Vec<i64> {
    let deals = call(demo, token, "get_history_deals", json!({"from": from})).await;
    let rows = deals["deals"].as_array().unwrap_or_else(|| panic!("no deals in {deals}"));
    let mut times: Vec<i64> =
        rows.iter().filter(|deal| deal["position_id"] == json!(position_id)).map(|deal| number(deal, "time")).collect();
    times.sort_unstable();
    times
}

/// Opens and closes a position now; returns its id and the deals' times, each checked to lie between the server's
/// UTC clock before and after the trade.
async fn trade(demo: &Demo, token: &str, offset_s: i64, from: TimeMs) -> (String, Vec<i64>) {
    let before = server_time(demo, token, offset_s, "before the trade").await;
    let placed = call(demo, token, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let position_id = placed["position_id"].as_str().unwrap_or_else(|| panic!("{placed}")).to_owned();
    call(demo, token, "close_position", json!({"ticket": position_id})).await;
    let after = server_time(demo, token, offset_s, "after the trade").await;
    let times = deal_times(demo, token, &position_id, from).await;
    assert_eq!(times.len(), 2, "an in and an out deal of {position_id}: {times:?}");
    for time in &times {
        // Deal times are whole seconds on MT4 (and truncated to them on the way), so a second of slack before.
        assert!(before - 1000 <= *time && *time <= after, "deal at {time} outside [{before}, {after}]");
    }
    (position_id, times)
}

/// The EURUSD quote's time, checked to be no later than the server's clock.
async fn quote_time(demo: &Demo, token: &str, now: i64) -> i64 {
    let quote = call(demo, token, "get_quote", json!({"symbol": "EURUSD"})).await;
    let time = number(&quote, "time");
    assert!(time <= now + 1000, "a quote from the future: {quote} at {now}");
    time
}

/// Friday 2024-03-08 21:59 UTC is the broker's 23:59 (winter, UTC+2), a minute before the weekend close. US daylight
/// saving time starts on Sunday 10 March at 07:00 UTC, so the market reopens on Sunday 21:00 UTC, the broker's
/// Monday 00:00 in summer time (UTC+3).
async fn broker_time_holds_over_a_weekend_and_a_dst_change(mode: Mode) {
    const WINTER: i64 = 7200;
    const SUMMER: i64 = 10_800;
    let demo = start_demo(Vec::new()).await;
    let friday = utc_ms(2024, 3, 8, 21, 59, 0);
    let (sim, token) = start_sim(&demo, mode, Some(friday)).await;
    let token = token.as_str();
    let history_from = friday - 3_600_000;

    // Friday, the market is live: the offset is the winter one, quotes are current, deals are now.
    let now = server_time(&demo, token, WINTER, "Friday").await;
    assert!(now - quote_time(&demo, token, now).await < 60_000, "a live quote on Friday");
    let (position_id, friday_deals) = trade(&demo, token, WINTER, history_from).await;
    // Run to the close, so Friday's last minute has its candle.
    until_clock(&demo, token, utc_ms(2024, 3, 8, 22, 0, 5)).await;
    let last_friday_quote = quote_time(&demo, token, utc_ms(2024, 3, 8, 22, 0, 5)).await;

    // Saturday: no quotes for 14 hours. The last quote's time is no clock: the offset stays the winter one.
    sim.jump_to(utc_ms(2024, 3, 9, 12, 0, 0));
    until_clock(&demo, token, utc_ms(2024, 3, 9, 12, 0, 0)).await;
    for _ in 0..5 {
        let now = server_time(&demo, token, WINTER, "Saturday").await;
        assert_eq!(quote_time(&demo, token, now).await, last_friday_quote, "no quote over the weekend");
    }
    assert_eq!(deal_times(&demo, token, &position_id, history_from).await, friday_deals, "Saturday's history");

    // Sunday noon, after the change and still the weekend: summer time, and Friday's deals keep their times.
    sim.jump_to(utc_ms(2024, 3, 10, 12, 0, 0));
    until_clock(&demo, token, utc_ms(2024, 3, 10, 12, 0, 0)).await;
    for _ in 0..5 {
        let now = server_time(&demo, token, SUMMER, "Sunday").await;
        assert_eq!(quote_time(&demo, token, now).await, last_friday_quote, "no quote over the weekend");
    }
    assert_eq!(deal_times(&demo, token, &position_id, history_from).await, friday_deals, "Sunday's history");

    // Just before the open, then into the broker's Monday: live summer quotes, ticks and deals.
    sim.jump_to(utc_ms(2024, 3, 10, 20, 59, 50));
    let mut peer = WsPeer::connect(&demo.url, token).await;
    let subscribed = peer.call("subscribe", json!({"streams": [{"type": "ticks", "symbol": "EURUSD"}]})).await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");
    until_clock(&demo, token, utc_ms(2024, 3, 10, 21, 0, 40)).await;
    let now = server_time(&demo, token, SUMMER, "Monday").await;
    let monday_quote = quote_time(&demo, token, now).await;
    assert!(monday_quote >= utc_ms(2024, 3, 10, 21, 0, 0) && now - monday_quote < 60_000, "{monday_quote} at {now}");
    let (monday_position_id, monday_deals) = trade(&demo, token, SUMMER, history_from).await;
    assert!(monday_deals.iter().all(|time| *time >= utc_ms(2024, 3, 10, 21, 0, 0)), "{monday_deals:?}");
    assert_eq!(deal_times(&demo, token, &position_id, history_from).await, friday_deals, "Monday's history");
    // The first tick may be Friday's last (what the EA had when the client subscribed); Monday's follow.
    let tick_times = |peer: &WsPeer| -> Vec<i64> {
        let ticks = peer.notifications.iter().filter(|(name, _)| name == "tick");
        ticks.map(|(_, params)| params["data"]["tick"]["time"].as_i64().expect("a tick time")).collect()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while !tick_times(&peer).iter().any(|time| *time >= utc_ms(2024, 3, 10, 21, 0, 0)) {
        assert!(tokio::time::Instant::now() < deadline, "no Monday tick within {WAIT:?}: {:?}", peer.notifications);
        peer.call("get_server_time", json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let now = server_time(&demo, token, SUMMER, "after the ticks").await;
    for time in tick_times(&peer) {
        let friday = (utc_ms(2024, 3, 8, 21, 59, 0)..utc_ms(2024, 3, 8, 22, 0, 0)).contains(&time);
        // `now` is whole seconds (TimeGMT), ticks are milliseconds.
        assert!(friday || (utc_ms(2024, 3, 10, 21, 0, 0)..now + 1000).contains(&time), "tick at {time}, now {now}");
    }
    peer.close().await;

    // One-minute candles across the weekend: Friday's end on the winter offset, Monday's start on the summer one.
    let range = json!({"symbol": "EURUSD", "timeframe": "m1", "from": utc_ms(2024, 3, 8, 21, 58, 0),
                       "to": utc_ms(2024, 3, 10, 21, 0, 0)});
    let candles = call(&demo, token, "get_candles", range).await;
    let times: Vec<i64> = candles["candles"]
        .as_array()
        .unwrap_or_else(|| panic!("{candles}"))
        .iter()
        .map(|c| number(c, "time"))
        .collect();
    let friday_close = utc_ms(2024, 3, 8, 22, 0, 0);
    let monday_open = utc_ms(2024, 3, 10, 21, 0, 0);
    assert_eq!(times.iter().rev().find(|time| **time < friday_close), Some(&(friday_close - 60_000)), "{times:?}");
    assert_eq!(times.last(), Some(&monday_open), "Monday's first candle opens at broker midnight: {times:?}");
    assert!(times.iter().all(|time| *time < friday_close || *time >= monday_open), "{times:?}");

    // Past the autumn change (US DST ended on 3 November 06:00 UTC), on a Saturday: winter time again, and the
    // deals of both sides of the spring change keep their times.
    sim.jump_to(utc_ms(2024, 11, 9, 12, 0, 0));
    until_clock(&demo, token, utc_ms(2024, 11, 9, 12, 0, 0)).await;
    for _ in 0..3 {
        server_time(&demo, token, WINTER, "November").await;
    }
    assert_eq!(deal_times(&demo, token, &position_id, history_from).await, friday_deals, "November: Friday's deals");
    assert_eq!(deal_times(&demo, token, &monday_position_id, history_from).await, monday_deals, "November: Monday's");
    sim.stop();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_broker_time_holds_over_a_weekend_and_a_dst_change() {
    broker_time_holds_over_a_weekend_and_a_dst_change(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_broker_time_holds_over_a_weekend_and_a_dst_change() {
    broker_time_holds_over_a_weekend_and_a_dst_change(Mode::Mt4).await;
}
