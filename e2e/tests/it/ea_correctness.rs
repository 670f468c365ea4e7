//! Correctness points of the shipped EAs (issue 15, Part 2), each checked through the real MQL5 or MQL4 program
//! running in terminal-sim behind the real bridge and gateway.

use metaapi_demo::Demo;
use metaapi_e2e::rpc;
use metaapi_terminal_sim::{Mode, matches_group};
use serde_json::{Value, json};

use crate::support::{WAIT, WsPeer, own_terminal_config, schemas, start_demo};

/// Calls `method` on the demo's first terminal and returns its result, failing the test with the error otherwise.
async fn result(demo: &Demo, method: &str, params: Value) -> Value {
    let answer =
        rpc(&demo.url, &demo.terminals[0].token, method, params.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    answer.body.get("result").cloned().unwrap_or_else(|| panic!("{method} {params}: {}", answer.body))
}

fn names(symbols: &Value) -> Vec<String> {
    let rows = symbols["symbols"].as_array().unwrap_or_else(|| panic!("no symbols in {symbols}"));
    rows.iter().map(|row| row["name"].as_str().expect("a name").to_owned()).collect()
}

/// The group masks of MetaTrader (`*` runs, `!` exclusions, comma lists, any case) select in each EA exactly the
/// symbols the simulator's `matches_group` selects.
async fn group_masks_match_the_simulator(mode: Mode) {
    let demo = start_demo(vec![mode]).await;
    let all = names(&result(&demo, "get_symbols", json!({})).await);
    assert!(all.iter().any(|name| name.contains("JPY")) && all.iter().any(|name| name.starts_with("EUR")), "{all:?}");
    for group in ["*USD*", "*,!*JPY*", "EUR*,GBP*", "!*JPY*", "*usd*, !*jpy*", "XAU*", "EURUSD", "*U*D"] {
        let got = names(&result(&demo, "get_symbols", json!({"group": group})).await);
        let want: Vec<String> = all.iter().filter(|name| matches_group(name, group)).cloned().collect();
        assert_eq!(got, want, "{mode:?} group {group:?}");
        assert!(!want.is_empty() && want.len() < all.len() || group == "*,!*JPY*" || group == "!*JPY*", "{group}");
    }
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_group_masks_match_the_simulator() {
    group_masks_match_the_simulator(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_group_masks_match_the_simulator() {
    group_masks_match_the_simulator(Mode::Mt4).await;
}

/// Reads `/ws` (through harmless calls) until a notification named `name` whose `data` satisfies `wanted` arrived,
/// and returns that `data`; fails after [`WAIT`] naming `what` and listing what came.
async fn until(peer: &mut WsPeer, name: &str, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = peer.notifications.iter().find(|(notified, params)| notified == name && wanted(&params["data"]));
        if let Some((_, params)) = found {
            let reference = schemas().notification_ref(name).unwrap_or_else(|| panic!("{name} is in the schema"));
            schemas().validate(&reference, params).unwrap_or_else(|error| panic!("{name}: {error}"));
            return params["data"].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: no {name} within {WAIT:?}: {:?}", peer.notifications);
        peer.call("get_server_time", json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn ok(peer: &mut WsPeer, method: &str, params: Value) -> Value {
    let answer = peer.call(method, params.clone()).await;
    answer.get("result").cloned().unwrap_or_else(|| panic!("{method} {params}: {answer}"))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_else(|| panic!("no {key} in {value}"))
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

/// MT4 has no OnTradeTransaction; the EA's scan of the open orders reports SL/TP changes, pending price changes,
/// partial closes and pending orders that fill, not only tickets appearing and disappearing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_reports_changes_partial_closes_and_fills() {
    let demo = start_demo(vec![Mode::Mt4]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    ok(&mut peer, "subscribe", json!({"streams": [{"type": "trades"}]})).await;
    let spec = ok(&mut peer, "get_symbol_spec", json!({"symbol": "EURUSD"})).await;
    let point = spec["point"].as_f64().expect("a point");
    let gap = (spec["stops_level"].as_f64().unwrap_or(0.0) + 2.0) * point;

    // An SL change of an open position.
    let placed = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let ticket = text(&placed, "position_id").to_owned();
    let quote = ok(&mut peer, "get_quote", json!({"symbol": "EURUSD"})).await;
    let sl = ((quote["bid"].as_f64().expect("a bid") - 0.01) / point).round() * point;
    ok(&mut peer, "modify_position", json!({"ticket": ticket, "sl": sl})).await;
    until(&mut peer, "position_updated", "the SL change", |data| {
        data["ticket"] == json!(ticket) && close(&data["sl"], sl)
    })
    .await;

    // A partial close: an out deal of the closed part, and the rest open under the ticket MT4 gives it.
    ok(&mut peer, "close_position", json!({"ticket": ticket, "volume": 0.04})).await;
    let deal = until(&mut peer, "deal_added", "the partial close's deal", |data| {
        data["position_id"] == json!(ticket) && data["entry"] == json!("out")
    })
    .await;
    assert!(close(&deal["volume"], 0.04), "{deal}");
    let positions = ok(&mut peer, "get_positions", json!({"symbol": "EURUSD"})).await;
    let rest = positions["positions"].as_array().and_then(|rows| rows.first()).cloned().expect("the rest is open");
    assert!(close(&rest["volume"], 0.06), "{rest}");
    let rest_ticket = text(&rest, "ticket").to_owned();
    until(&mut peer, "position_updated", "the rest of the partial close", |data| {
        data["ticket"] == json!(rest_ticket) && close(&data["volume"], 0.06)
    })
    .await;

    // A pending order's new price.
    let far = ((quote["bid"].as_f64().expect("a bid") - 0.02) / point).round() * point;
    let limit =
        ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.1, "price": far}))
            .await;
    let limit_ticket = text(&limit, "order").to_owned();
    let moved = far - 10.0 * point;
    ok(&mut peer, "modify_order", json!({"ticket": limit_ticket, "price": moved})).await;
    until(&mut peer, "order_updated", "the pending price change", |data| {
        data["ticket"] == json!(limit_ticket) && close(&data["price_open"], moved)
    })
    .await;

    // Stops just outside the spread on both sides: the feed fills one of them, which keeps its ticket on MT4.
    let quote = ok(&mut peer, "get_quote", json!({"symbol": "EURUSD"})).await;
    let up = ((quote["ask"].as_f64().expect("an ask") + gap) / point).round() * point;
    let down = ((quote["bid"].as_f64().expect("a bid") - gap) / point).round() * point;
    let buy_stop =
        ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy_stop", "volume": 0.1, "price": up})).await;
    let sell_stop =
        ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "sell_stop", "volume": 0.1, "price": down}))
            .await;
    let stops = [text(&buy_stop, "order").to_owned(), text(&sell_stop, "order").to_owned()];
    let filled = until(&mut peer, "order_completed", "a stop order's fill", |data| {
        stops.iter().any(|ticket| data["ticket"] == json!(ticket)) && data["state"] == json!("filled")
    })
    .await;
    let filled_ticket = text(&filled, "ticket").to_owned();
    assert!(["buy_stop", "sell_stop"].contains(&text(&filled, "type")), "{filled}");
    until(&mut peer, "deal_added", "the fill's deal", |data| {
        data["position_id"] == json!(filled_ticket) && data["entry"] == json!("in")
    })
    .await;
    until(&mut peer, "position_updated", "the filled position", |data| data["ticket"] == json!(filled_ticket)).await;
    peer.close().await;
    demo.stop().await;
}

/// The Service has no chart (`_Symbol` is empty there): its health and server time read the first Market Watch
/// symbol, so a linked, trading terminal is healthy and reports its last quote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt5_service_health_does_not_read_the_empty_chart_symbol() {
    use metaapi_terminal_sim::programs::{ProgramCode, Shipped};
    use metaapi_terminal_sim::{BridgeAbi, start_program};

    let demo = start_demo(Vec::new()).await;
    let (config, token) = own_terminal_config(&demo, Mode::Mt5Hedging, "MT5-Service");
    let sim = start_program(BridgeAbi::linked(), config, ProgramCode::shipped(Shipped::Mt5Service))
        .expect("the service starts");
    let health = crate::support::eventually("the service links", || async {
        let answer = rpc(&demo.url, &token, "get_health", json!({})).await?;
        answer.body.get("result").cloned().ok_or_else(|| answer.body.to_string())
    })
    .await;
    let time = rpc(&demo.url, &token, "get_server_time", json!({})).await.expect("an answer");
    sim.stop();
    demo.stop().await;
    assert_eq!(health["synchronized"], json!(true), "{health}");
    assert_eq!(health["healthy"], json!(true), "{health}");
    assert!(health["last_quote_age_ms"].as_i64().is_some(), "{health}");
    assert!(time.body["result"]["last_quote_time"].as_i64().is_some(), "{}", time.body);
}

/// A quote that cannot be read opens no event: a copy of the MT4 EA whose OnTick asks for a symbol the broker does
/// not have runs through many ticks, and the bridge holds no open event afterwards (before the fix each tick left
/// one open, and the slots are shared with requests).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_quote_read_leaves_no_event_open_in_the_bridge() {
    use crate::mutation::{build, change_one_line, copy_sources};
    use metaapi_terminal_sim::programs::ProgramCode;
    use metaapi_terminal_sim::{BridgeAbi, start_program};

    let demo = start_demo(Vec::new()).await;
    let copy = tempfile::tempdir().expect("a temporary directory");
    copy_sources(copy.path());
    let expert = copy.path().join("Experts").join("MetaApiBridge.mq4");
    change_one_line(&expert, "Mt4PublishQuote(g_session, _Symbol)", "Mt4PublishQuote(g_session, \"NOSUCH\")");
    let library = build(copy.path(), "noquote4", "Experts/MetaApiBridge.mq4");
    let code = ProgramCode::load(&library, "noquote4").expect("the changed program loads");
    let (config, token) = own_terminal_config(&demo, Mode::Mt4, "noquote4");
    let sim = start_program(BridgeAbi::linked(), config, code).expect("the changed EA starts");
    let abi = BridgeAbi::linked();
    let status = || {
        let mut buffer = vec![0u8; 64 * 1024];
        let mut needed = 0i32;
        // SAFETY: the buffer holds `len` bytes and `needed` is a valid out pointer, as mtb_status requires.
        let written = unsafe { (abi.status)(sim.session(), buffer.as_mut_ptr(), buffer.len() as i32, &mut needed) };
        assert!(written > 0, "mtb_status failed: {written}");
        serde_json::from_slice::<Value>(&buffer[..written as usize]).expect("status is JSON")
    };
    // Ticks arrive while the chart symbol's quotes move: wait until the quote changed several times.
    let mut seen: Vec<Value> = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while seen.len() < 5 {
        assert!(tokio::time::Instant::now() < deadline, "only {} distinct quotes within {WAIT:?}", seen.len());
        let answer = rpc(&demo.url, &token, "get_quote", json!({"symbol": "EURUSD"})).await.expect("an answer");
        let time = answer.body["result"]["time"].clone();
        if !time.is_null() && !seen.contains(&time) {
            seen.push(time);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let open = status();
    sim.stop();
    demo.stop().await;
    assert_eq!(open["queues"]["events_open"], json!(0), "{open}");
}
