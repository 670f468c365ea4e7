//! No request may break a terminal's link: the largest documented request of every list method goes through the
//! gateway, the real bridge and a simulated terminal with thousands of symbols and a long history, gets a result,
//! and the same link answers the next call; and pages taken with `has_more` and their cursor fit together without
//! duplicates or gaps.

use std::time::Duration;

use metaapi_demo::{Demo, DemoConfig};
use metaapi_e2e::rpc;
use metaapi_terminal_sim::{BridgeAbi, Mode, SimScale, TerminalConfig};
use serde_json::{Value, json};

/// The simulated terminals' start (a Monday morning, markets open).
fn start_time() -> i64 {
    TerminalConfig::new(Mode::Mt5Hedging, 0).start_time
}

async fn start_big(scale: SimScale) -> Demo {
    start_with(Mode::Mt5Hedging, scale, metaapi_protocol::link::DEFAULT_LINK_MAX_MESSAGE_BYTES as usize).await
}

async fn start_with(mode: Mode, scale: SimScale, link_max_message_bytes: usize) -> Demo {
    let mut config = DemoConfig::new("127.0.0.1:0".parse().expect("an address"));
    config.terminals = vec![mode];
    config.realtime = false;
    config.scale = scale;
    config.link_max_message_bytes = link_max_message_bytes;
    tokio::time::timeout(Duration::from_secs(180), Demo::start(config))
        .await
        .expect("the demo did not start within 180 s")
        .expect("the demo starts")
}

/// The bridge's `mtb_status` of the demo's terminal.
fn bridge_status(demo: &Demo) -> Value {
    let session = demo.terminals[0].bridge_session().expect("the terminal runs");
    let abi = BridgeAbi::linked();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut needed = 0i32;
    // SAFETY: the buffer holds `len` bytes and `needed` is a valid out pointer, as mtb_status requires.
    let written = unsafe { (abi.status)(session, buffer.as_mut_ptr(), buffer.len() as i32, &mut needed) };
    assert!(written > 0, "mtb_status failed: {written}");
    serde_json::from_slice(&buffer[..written as usize]).expect("status is JSON")
}

/// Calls `method` and returns its result, failing with the error (the body is cut short: results are large).
async fn result(demo: &Demo, method: &str, params: Value) -> Value {
    let token = &demo.terminals[0].token;
    let answer = rpc(&demo.url, token, method, params.clone()).await.unwrap_or_else(|error| panic!("{error}"));
    match answer.body.get("result") {
        Some(result) => result.clone(),
        None => {
            let text = answer.body.to_string();
            panic!("{method} {params}: HTTP {} {}", answer.status, &text[..text.len().min(600)])
        }
    }
}

fn length(result: &Value, key: &str) -> usize {
    result[key].as_array().unwrap_or_else(|| panic!("no {key} array")).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_methods_documented_maximum_answers_and_leaves_the_link_up() {
    // 1,700 closed positions make 3,400 history orders and 3,401 deals (with the deposit), over 1 MiB each. (More
    // would test the simulator's MQL host, whose history lookups are linear per property, not the link.)
    let demo = start_big(SimScale { extra_symbols: 5_000, past_trades: 1_700 }).await;
    let links_before = bridge_status(&demo)["link"]["links"].clone();
    let early = start_time() - 60 * 86_400_000;
    // Quotes exist only for symbols in Market Watch (the synthetic ones are not), so the 1,000 names repeat those.
    let watched = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US500", "BTCUSD"];
    let quoted: Vec<&str> = watched.iter().copied().cycle().take(1000).collect();
    let largest = [
        ("get_candles", json!({"symbol": "EURUSD", "timeframe": "m1", "count": 10000}), "candles", 10_000),
        ("get_candles", json!({"symbol": "EURUSD", "timeframe": "m1", "from": early}), "candles", 10_000),
        ("get_ticks", json!({"symbol": "EURUSD", "from": early, "count": 10000}), "ticks", 10_000),
        ("get_ticks", json!({"symbol": "EURUSD", "from": early, "to": start_time()}), "ticks", 10_000),
        ("get_symbols", json!({"limit": 10000}), "symbols", 5_006),
        ("get_quotes", json!({"symbols": quoted}), "quotes", 1_000),
        ("get_history_orders", json!({"from": 0, "limit": 10000}), "orders", 3_400),
        ("get_history_deals", json!({"from": 0, "limit": 10000}), "deals", 3_401),
        ("get_positions", json!({"limit": 10000}), "positions", 0),
        ("get_orders", json!({"limit": 10000}), "orders", 0),
    ];
    let mut largest_reply = 0;
    for (method, params, key, expected) in largest {
        let answer = result(&demo, method, params.clone()).await;
        assert_eq!(length(&answer, key), expected, "{method} {params}");
        largest_reply = largest_reply.max(answer.to_string().len());
        // The same link answers the next call.
        let account = result(&demo, "get_account_info", json!({})).await;
        assert_eq!(account["platform"], "mt5");
    }
    // With count alone, has_more says older candles exist, and there is no cursor: older ones are a range away.
    let newest = result(&demo, "get_candles", json!({"symbol": "EURUSD", "timeframe": "m1", "count": 10})).await;
    assert_eq!((&newest["has_more"], newest.get("next_from")), (&json!(true), None));
    assert!(largest_reply > 1 << 20, "the largest reply ({largest_reply} bytes) is over the client message limit");
    let status = bridge_status(&demo);
    assert_eq!(status["link"]["links"], links_before, "the terminal never relinked: {status}");
    assert_eq!(status["link"]["state"], "linked");
    assert_eq!(status["counters"]["replies_too_large"], 0, "every documented maximum fits the link: {status}");
    demo.stop().await;
}

/// Follows `has_more` and the cursor `next` (a result field) through pages of `params`, giving the cursor's value as
/// the param `cursor`; returns every item of `key` in order.
async fn all_pages(demo: &Demo, method: &str, mut params: Value, key: &str, next: &str, cursor: &str) -> Vec<Value> {
    let mut items = Vec::new();
    for _ in 0..100 {
        let page = result(demo, method, params.clone()).await;
        items.extend(page[key].as_array().expect("an item array").iter().cloned());
        if page["has_more"] != json!(true) {
            assert!(page.get(next).is_none(), "{method}: {next} without has_more");
            return items;
        }
        params[cursor] = page[next].clone();
        assert!(!params[cursor].is_null(), "{method}: has_more without {next}");
    }
    panic!("{method}: more than 100 pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_followed_by_their_cursor_return_the_rest_without_duplicates_or_gaps() {
    pages_fit_together(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_pages_followed_by_their_cursor_return_the_rest_without_duplicates_or_gaps() {
    pages_fit_together(Mode::Mt4).await;
}

/// Each listing taken in pages equals the same listing in one call, through the EA of `mode`.
async fn pages_fit_together(mode: Mode) {
    let scale = SimScale { extra_symbols: 2_500, past_trades: 1_200 };
    let demo = start_with(mode, scale, metaapi_protocol::link::DEFAULT_LINK_MAX_MESSAGE_BYTES as usize).await;
    let early = start_time() - 3 * 86_400_000;
    // Before the start only: candles and ticks there are history and do not change while the feed runs. Half an
    // hour of EURUSD is about 7,000 ticks, one call's worth.
    let before = start_time() - 1;
    let recent = start_time() - 30 * 60_000;

    // Each listing in pages equals the same listing in one call.
    let cases = [
        ("get_symbols", json!({}), json!({"limit": 700}), "symbols", "next_offset", "offset"),
        (
            "get_history_orders",
            json!({"from": 0, "limit": 10000}),
            json!({"from": 0, "limit": 700}),
            "orders",
            "next_offset",
            "offset",
        ),
        (
            "get_history_deals",
            json!({"from": 0, "limit": 10000}),
            json!({"from": 0, "limit": 700}),
            "deals",
            "next_offset",
            "offset",
        ),
        (
            "get_candles",
            json!({"symbol": "EURUSD", "timeframe": "m5", "from": early, "to": before}),
            json!({"symbol": "EURUSD", "timeframe": "m5", "from": early, "to": before, "count": 150}),
            "candles",
            "next_from",
            "from",
        ),
        (
            "get_ticks",
            json!({"symbol": "EURUSD", "from": recent, "to": before}),
            json!({"symbol": "EURUSD", "from": recent, "to": before, "count": 1500}),
            "ticks",
            "next_from",
            "from",
        ),
    ];
    for (method, whole, paged, key, next, cursor) in cases {
        // MT4 keeps no tick history.
        if mode == Mode::Mt4 && method == "get_ticks" {
            continue;
        }
        let once = result(&demo, method, whole.clone()).await;
        assert_eq!(once["has_more"], json!(false), "{method} {whole} fits one call");
        let once = once[key].as_array().expect("an item array").clone();
        let pages = all_pages(&demo, method, paged.clone(), key, next, cursor).await;
        assert!(pages.len() > 1000 || method == "get_candles", "{method}: too few items ({}) to page", pages.len());
        assert_eq!(pages.len(), once.len(), "{method} {paged}: pages hold as many items as one call");
        let differ = pages.iter().zip(&once).position(|(page, whole)| page != whole);
        assert!(
            differ.is_none(),
            "{method} {paged}: pages hold the same items in the same order; first differ at {differ:?}: {} vs {}",
            differ.map(|i| pages[i].to_string()).unwrap_or_default(),
            differ.map(|i| once[i].to_string()).unwrap_or_default()
        );
    }

    // A range without count is bounded: an early `from` answers one page and where the rest starts.
    let first = result(&demo, "get_candles", json!({"symbol": "EURUSD", "timeframe": "m1", "from": 0})).await;
    assert_eq!(length(&first, "candles"), 10_000);
    assert_eq!(first["has_more"], json!(true));
    let last_time = first["candles"][9_999]["time"].as_i64().expect("a time");
    assert!(first["next_from"].as_i64().expect("next_from") > last_time);
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_over_the_gateways_link_limit_fails_only_its_call() {
    // 10,000 candles are about 1.4 MB: over a gateway whose link reads at most 256 KiB.
    let demo = start_with(Mode::Mt5Hedging, SimScale::default(), 256 * 1024).await;
    let token = &demo.terminals[0].token;
    let params = json!({"symbol": "EURUSD", "timeframe": "m1", "count": 10000});
    let answer = rpc(&demo.url, token, "get_candles", params).await.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(answer.error_kind(), Some("payload_too_large"), "{}", answer.body);
    let message = answer.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("262144") && message.contains("smaller count"), "the error says how to ask: {message}");

    // The link stayed up: a smaller page of the same call answers, on the same link.
    let page = result(&demo, "get_candles", json!({"symbol": "EURUSD", "timeframe": "m1", "count": 1000})).await;
    assert_eq!(length(&page, "candles"), 1000);
    let status = bridge_status(&demo);
    assert_eq!(status["link"]["links"], 1, "never relinked: {status}");
    assert_eq!(status["counters"]["replies_too_large"], 1, "{status}");
    demo.stop().await;
}
