//! The terminal's event loop reaches the shipped MT5 EA: OnTick publishes the chart symbol's quotes, and
//! OnTradeTransaction turns a trade's transactions into `deal_added` and `position_updated` notifications, each
//! schema-valid on `/ws`.

use serde_json::{Value, json};

use crate::support::{WAIT, WsPeer, schemas, start_demo};
use metaapi_terminal_sim::Mode;

/// Reads `/ws` (through harmless calls) until every name in `wanted` was notified, or fails after [`WAIT`].
async fn until_notified(peer: &mut WsPeer, wanted: &[&str]) -> Vec<(String, Value)> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let seen = |name: &str| peer.notifications.iter().any(|(notified, _)| notified == name);
        if wanted.iter().all(|name| seen(name)) {
            return peer.notifications.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not all of {wanted:?} within {WAIT:?}: {:?}",
            peer.notifications
        );
        peer.call("get_server_time", json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_tick_and_on_trade_transaction_of_the_shipped_mt5_ea_reach_subscribers() {
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let streams = json!({"streams": [{"type": "quotes", "symbol": "EURUSD"}, {"type": "trades"}]});
    let subscribed = peer.call("subscribe", streams).await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");
    let placed = peer.call("place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let position_id = placed["result"]["position_id"].as_str().unwrap_or_else(|| panic!("{placed}")).to_owned();
    let notifications = until_notified(&mut peer, &["quote", "deal_added", "position_updated"]).await;
    for (name, params) in &notifications {
        let reference = schemas().notification_ref(name).unwrap_or_else(|| panic!("{name} is in the schema"));
        schemas().validate(&reference, params).unwrap_or_else(|error| panic!("{name}: {error}"));
    }
    // Each notice carries its payload in `data`.
    let deal = notifications.iter().find(|(name, _)| name == "deal_added").map(|(_, params)| &params["data"]);
    assert_eq!(deal.and_then(|deal| deal["position_id"].as_str()), Some(position_id.as_str()), "{deal:?}");
    peer.close().await;
    demo.stop().await;
}

/// The shipped MT5 EA serves the clients' demand for a symbol that is not the chart's (EURUSD): quotes, every tick,
/// candle updates of the subscribed timeframe, the book through OnBookEvent, and account changes; each notice is
/// schema-valid and names the subscribed symbol and timeframe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_mt5_ea_serves_every_market_stream_of_a_symbol_off_the_chart() {
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let streams = json!({"streams": [
        {"type": "quotes", "symbol": "GBPUSD"}, {"type": "ticks", "symbol": "GBPUSD"},
        {"type": "candles", "symbol": "GBPUSD", "timeframe": "m1"}, {"type": "book", "symbol": "GBPUSD"},
        {"type": "account"}, {"type": "trades"}
    ]});
    let subscribed = peer.call("subscribe", streams).await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");
    // An open position moves equity and margin, so the account stream has something to say.
    let placed = peer.call("place_order", json!({"symbol": "GBPUSD", "type": "buy", "volume": 0.1})).await;
    assert!(placed.get("result").is_some(), "{placed}");
    let notifications = until_notified(&mut peer, &["quote", "tick", "candle", "book", "account"]).await;
    for (name, params) in &notifications {
        let reference = schemas().notification_ref(name).unwrap_or_else(|| panic!("{name} is in the schema"));
        schemas().validate(&reference, params).unwrap_or_else(|error| panic!("{name}: {error}"));
        if ["quote", "tick", "candle", "book"].contains(&name.as_str()) {
            assert_eq!(params["data"]["symbol"], "GBPUSD", "{name}: {params}");
        }
    }
    let candle = notifications.iter().find(|(name, _)| name == "candle").map(|(_, params)| &params["data"]).unwrap();
    assert_eq!(candle["timeframe"], "m1", "{candle}");
    assert!(candle["closed"].is_boolean(), "{candle}");
    peer.close().await;
    demo.stop().await;
}

/// What the bridge hands the demo terminal's EA through `mtb_demand`.
fn demand_of(demo: &metaapi_demo::Demo) -> String {
    let session = demo.terminals[0].bridge_session().expect("the terminal runs");
    let abi = metaapi_terminal_sim::BridgeAbi::linked();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut needed = 0i32;
    // SAFETY: the buffer holds `len` bytes and `needed` is a valid out pointer, as mtb_demand requires.
    let written = unsafe { (abi.demand)(session, buffer.as_mut_ptr(), buffer.len() as i32, &mut needed) };
    assert!(written >= 0, "mtb_demand failed: {written}");
    String::from_utf8(buffer[..written as usize].to_vec()).expect("the demand is UTF-8")
}

/// Waits until the EA's demand is `expected`, or fails after [`WAIT`].
async fn until_demand(demo: &metaapi_demo::Demo, expected: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let demand = demand_of(demo);
        if demand == expected {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "demand stayed {demand:?}, expected {expected:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Subscribing and unsubscribing through the gateway changes what the shipped EA is asked to serve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eas_demand_follows_subscribe_and_unsubscribe() {
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let streams = json!({"streams": [{"type": "book", "symbol": "GBPUSD"}, {"type": "ticks", "symbol": "USDJPY"}]});
    let subscribed = peer.call("subscribe", streams).await;
    let ids = subscribed["result"]["subscriptions"].as_array().unwrap_or_else(|| panic!("{subscribed}")).clone();
    until_demand(&demo, "book\tGBPUSD\t\nticks\tUSDJPY\t\n").await;
    let removed = peer.call("unsubscribe", json!({"subscription_ids": [ids[0]["id"]]})).await;
    assert!(removed.get("result").is_some(), "{removed}");
    until_demand(&demo, "ticks\tUSDJPY\t\n").await;
    peer.close().await;
    until_demand(&demo, "").await;
    demo.stop().await;
}

/// Waits until `check` holds for the EA's (MarketBookAdd, MarketBookRelease) counts, or fails after [`WAIT`].
async fn until_book_calls(demo: &metaapi_demo::Demo, check: impl Fn((u64, u64)) -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let calls = demo.terminals[0].book_calls();
        if check(calls) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: (added, released) stayed {calls:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The shipped MT5 EA takes a symbol's book with MarketBookAdd when a client subscribes to it and gives it back with
/// MarketBookRelease once the last subscriber unsubscribes, as the terminal counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_mt5_ea_releases_a_book_nobody_wants() {
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let subscribed = peer.call("subscribe", json!({"streams": [{"type": "book", "symbol": "GBPUSD"}]})).await;
    let id = subscribed["result"]["subscriptions"][0]["id"].clone();
    assert!(id.is_string(), "{subscribed}");
    until_book_calls(&demo, |(added, released)| added == 1 && released == 0, "the book is taken once").await;
    until_notified(&mut peer, &["book"]).await;
    let removed = peer.call("unsubscribe", json!({"subscription_ids": [id]})).await;
    assert!(removed.get("result").is_some(), "{removed}");
    until_book_calls(&demo, |(added, released)| added == 1 && released == 1, "the book is given back").await;
    peer.close().await;
    demo.stop().await;
}

/// The shipped MT4 EA serves the clients' demand for a symbol off the chart: quotes, ticks, candle updates of the
/// subscribed timeframe and account changes (MT4 has no depth of market), each schema-valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_mt4_ea_serves_quotes_ticks_candles_and_account_off_the_chart() {
    let demo = start_demo(vec![Mode::Mt4]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let streams = json!({"streams": [
        {"type": "quotes", "symbol": "GBPUSD"}, {"type": "ticks", "symbol": "GBPUSD"},
        {"type": "candles", "symbol": "GBPUSD", "timeframe": "m5"}, {"type": "account"}
    ]});
    let subscribed = peer.call("subscribe", streams).await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");
    let placed = peer.call("place_order", json!({"symbol": "GBPUSD", "type": "buy", "volume": 0.1})).await;
    assert!(placed.get("result").is_some(), "{placed}");
    let notifications = until_notified(&mut peer, &["quote", "tick", "candle", "account"]).await;
    for (name, params) in &notifications {
        let reference = schemas().notification_ref(name).unwrap_or_else(|| panic!("{name} is in the schema"));
        schemas().validate(&reference, params).unwrap_or_else(|error| panic!("{name}: {error}"));
        if ["quote", "tick", "candle"].contains(&name.as_str()) {
            assert_eq!(params["data"]["symbol"], "GBPUSD", "{name}: {params}");
        }
    }
    let candle = notifications.iter().find(|(name, _)| name == "candle").map(|(_, params)| &params["data"]).unwrap();
    assert_eq!(candle["timeframe"], "m5", "{candle}");
    assert_eq!(
        notifications.iter().find(|(name, _)| name == "account").map(|(_, params)| &params["data"]["platform"]),
        Some(&json!("mt4"))
    );
    peer.close().await;
    demo.stop().await;
}
