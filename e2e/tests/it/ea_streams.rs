//! The trade and account streams as the shipped EAs publish them (issue 15, Part 2): for MT5 (OnTradeTransaction)
//! and MT4 (the timer's scan of the open orders), a `/ws` subscriber of `trades` and `account` sees a position
//! opened, changed and removed, a pending order placed, changed, cancelled and filled, the deals of each, and the
//! account after a trade and after a price move alone; each payload is schema-valid and says what the terminal did.

use serde_json::{Value, json};

use crate::support::{WAIT, WsPeer, own_terminal_config, schemas, start_demo};
use metaapi_terminal_sim::Mode;

/// Reads `/ws` (through harmless calls) until a notification named `name` whose `data` satisfies `wanted` arrived,
/// checks it against the schema and returns its `data`; fails after [`WAIT`] naming `what`.
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

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_else(|| panic!("no {key} in {value}")).to_owned()
}

fn number(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or_else(|| panic!("no {key} in {value}"))
}

fn near(value: &Value, want: f64) -> bool {
    value.as_f64().is_some_and(|got| (got - want).abs() < 1e-9)
}

/// A price `points` points away from `price`, on the symbol's grid.
fn on_grid(price: f64, points: f64, point: f64) -> f64 {
    ((price + points * point) / point).round() * point
}

/// A market position's whole life on the `trades` and `account` streams: opened (its deal, its filled order, the
/// position with the call's `client_id`), SL/TP changed, closed (the `out` deal and `position_removed`), and the
/// account's balance after the close as `get_account_info` reports it.
async fn a_position_on_the_streams(mode: Mode) {
    let demo = start_demo(vec![mode]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    ok(&mut peer, "subscribe", json!({"streams": [{"type": "trades"}, {"type": "account"}]})).await;
    let spec = ok(&mut peer, "get_symbol_spec", json!({"symbol": "EURUSD"})).await;
    let point = number(&spec, "point");
    let before = ok(&mut peer, "get_account_info", json!({})).await;

    let placed = ok(
        &mut peer,
        "place_order",
        json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": "streams-open"}),
    )
    .await;
    let position_id = text(&placed, "position_id");
    let price = number(&placed, "price");
    let position =
        until(&mut peer, "position_updated", "the new position", |data| data["ticket"] == json!(position_id)).await;
    assert_eq!(position["position_id"], json!(position_id), "{position}");
    assert_eq!(position["symbol"], "EURUSD", "{position}");
    assert_eq!(position["side"], "buy", "{position}");
    assert!(near(&position["volume"], 0.1), "{position}");
    assert!(near(&position["price_open"], price), "{position} opened at {price}");
    assert_eq!(position["client_id"], "streams-open", "{position}");
    let deal = until(&mut peer, "deal_added", "the opening deal", |data| {
        data["position_id"] == json!(position_id) && data["entry"] == "in"
    })
    .await;
    assert_eq!(deal["type"], "buy", "{deal}");
    assert_eq!(deal["symbol"], "EURUSD", "{deal}");
    assert!(near(&deal["volume"], 0.1) && near(&deal["price"], price), "{deal}");
    assert_eq!(deal["client_id"], "streams-open", "{deal}");
    if let Some(ticket) = placed["deal"].as_str() {
        assert_eq!(deal["ticket"], ticket, "{deal}");
    }
    if mode != Mode::Mt4 {
        // MT5 reports the market order itself leaving for history, filled, with the position it opened.
        let order =
            until(&mut peer, "order_completed", "the filled market order", |data| data["ticket"] == placed["order"])
                .await;
        assert_eq!(order["state"], "filled", "{order}");
        assert_eq!(order["type"], "buy", "{order}");
        assert_eq!(order["position_id"], json!(position_id), "{order}");
        assert_eq!(order["client_id"], "streams-open", "{order}");
    }

    // SL and TP change: the position is reported again with both.
    let quote = ok(&mut peer, "get_quote", json!({"symbol": "EURUSD"})).await;
    let sl = on_grid(number(&quote, "bid"), -200.0, point);
    let tp = on_grid(number(&quote, "ask"), 200.0, point);
    ok(&mut peer, "modify_position", json!({"ticket": position_id, "sl": sl, "tp": tp})).await;
    let changed = until(&mut peer, "position_updated", "the SL/TP change", |data| {
        data["ticket"] == json!(position_id) && near(&data["sl"], sl)
    })
    .await;
    assert!(near(&changed["tp"], tp), "{changed}");
    assert!(near(&changed["volume"], 0.1), "{changed}");

    // Closing: the out deal, the position removed, and the account's new balance.
    let closed = ok(&mut peer, "close_position", json!({"ticket": position_id})).await;
    let removed =
        until(&mut peer, "position_removed", "the closed position", |data| data["ticket"] == json!(position_id)).await;
    assert_eq!(removed["position_id"], json!(position_id), "{removed}");
    let out = until(&mut peer, "deal_added", "the closing deal", |data| {
        data["position_id"] == json!(position_id) && data["entry"] == "out"
    })
    .await;
    assert_eq!(out["type"], "sell", "{out}");
    assert!(near(&out["volume"], 0.1), "{out}");
    assert!(near(&out["price"], number(&closed, "price")), "{out} closed at {closed}");
    let after = ok(&mut peer, "get_account_info", json!({})).await;
    let realized = number(&after, "balance") - number(&before, "balance");
    assert!(realized.abs() > 1e-9, "the spread makes a round trip cost something: {before} {after}");
    assert!((realized - number(&out, "profit")).abs() < 1e-6, "balance moved by the deal's profit: {out} {after}");
    let account = until(&mut peer, "account", "the balance after the close", |data| {
        near(&data["balance"], number(&after, "balance"))
    })
    .await;
    assert!(near(&account["equity"], number(&after, "balance")), "no position is open: {account}");
    peer.close().await;
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_streams_a_positions_life_and_the_account_after_it() {
    a_position_on_the_streams(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_streams_a_positions_life_and_the_account_after_it() {
    a_position_on_the_streams(Mode::Mt4).await;
}

/// Pending orders on the `trades` stream: one placed (with the call's `client_id`), moved, cancelled; and two stops
/// just outside the spread, one of which the feed fills: its completion as filled, the deal it made and the
/// position it opened.
async fn pending_orders_on_the_streams(mode: Mode) {
    let demo = start_demo(vec![mode]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    ok(&mut peer, "subscribe", json!({"streams": [{"type": "trades"}]})).await;
    let spec = ok(&mut peer, "get_symbol_spec", json!({"symbol": "EURUSD"})).await;
    let point = number(&spec, "point");
    let quote = ok(&mut peer, "get_quote", json!({"symbol": "EURUSD"})).await;

    let price = on_grid(number(&quote, "bid"), -300.0, point);
    let params =
        json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.2, "price": price, "client_id": "streams-limit"});
    let limit = ok(&mut peer, "place_order", params).await;
    let ticket = text(&limit, "order");
    let placed = until(&mut peer, "order_updated", "the placed order", |data| data["ticket"] == json!(ticket)).await;
    assert_eq!(placed["type"], "buy_limit", "{placed}");
    assert_eq!(placed["state"], "placed", "{placed}");
    assert_eq!(placed["symbol"], "EURUSD", "{placed}");
    assert!(near(&placed["volume_initial"], 0.2) && near(&placed["volume_current"], 0.2), "{placed}");
    assert!(near(&placed["price_open"], price), "{placed}");
    assert_eq!(placed["client_id"], "streams-limit", "{placed}");

    let moved = on_grid(price, -50.0, point);
    ok(&mut peer, "modify_order", json!({"ticket": ticket, "price": moved})).await;
    let updated = until(&mut peer, "order_updated", "the moved order", |data| {
        data["ticket"] == json!(ticket) && near(&data["price_open"], moved)
    })
    .await;
    assert_eq!(updated["state"], "placed", "{updated}");

    ok(&mut peer, "cancel_order", json!({"ticket": ticket})).await;
    let canceled =
        until(&mut peer, "order_completed", "the cancelled order", |data| data["ticket"] == json!(ticket)).await;
    assert_eq!(canceled["state"], "canceled", "{canceled}");
    assert_eq!(canceled["type"], "buy_limit", "{canceled}");
    assert!(near(&canceled["price_open"], moved), "{canceled}");
    assert!(canceled["position_id"].is_null(), "a cancelled order opened nothing: {canceled}");

    // Stops just outside the spread on both sides: the feed soon fills one of them.
    let gap = spec["stops_level"].as_f64().unwrap_or(0.0) + 2.0;
    let quote = ok(&mut peer, "get_quote", json!({"symbol": "EURUSD"})).await;
    let up = on_grid(number(&quote, "ask"), gap, point);
    let down = on_grid(number(&quote, "bid"), -gap, point);
    let buy = json!({"symbol": "EURUSD", "type": "buy_stop", "volume": 0.1, "price": up, "client_id": "streams-up"});
    let sell =
        json!({"symbol": "EURUSD", "type": "sell_stop", "volume": 0.1, "price": down, "client_id": "streams-down"});
    let stops = [
        text(&ok(&mut peer, "place_order", buy).await, "order"),
        text(&ok(&mut peer, "place_order", sell).await, "order"),
    ];
    let filled = until(&mut peer, "order_completed", "a stop order's fill", |data| {
        stops.iter().any(|ticket| data["ticket"] == json!(ticket)) && data["state"] == "filled"
    })
    .await;
    let (side, client_id) =
        if filled["ticket"] == json!(stops[0]) { ("buy", "streams-up") } else { ("sell", "streams-down") };
    assert_eq!(filled["type"], format!("{side}_stop"), "{filled}");
    assert_eq!(filled["client_id"], client_id, "{filled}");
    let position_id = text(&filled, "position_id");
    let deal = until(&mut peer, "deal_added", "the fill's deal", |data| {
        data["position_id"] == json!(position_id) && data["entry"] == "in"
    })
    .await;
    assert_eq!(deal["type"], side, "{deal}");
    assert_eq!(deal["order"], filled["ticket"], "{deal}");
    assert!(near(&deal["volume"], 0.1), "{deal}");
    assert_eq!(deal["client_id"], client_id, "{deal}");
    let position =
        until(&mut peer, "position_updated", "the filled position", |data| data["position_id"] == json!(position_id))
            .await;
    assert_eq!(position["side"], side, "{position}");
    assert!(near(&position["price_open"], number(&deal, "price")), "{position} {deal}");
    peer.close().await;
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_streams_pending_orders_placed_changed_cancelled_and_filled() {
    pending_orders_on_the_streams(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_streams_pending_orders_placed_changed_cancelled_and_filled() {
    pending_orders_on_the_streams(Mode::Mt4).await;
}

/// With a position open and nothing traded after it, the moving price alone changes equity, and the EA's throttled
/// account stream reports it: two `account` notifications with the same balance and different equity.
async fn equity_moves_without_a_trade(mode: Mode) {
    let demo = start_demo(vec![mode]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 1.0})).await;
    let balance = number(&ok(&mut peer, "get_account_info", json!({})).await, "balance");
    ok(&mut peer, "subscribe", json!({"streams": [{"type": "account"}]})).await;
    let first = until(&mut peer, "account", "the account with a position open", |data| {
        near(&data["balance"], balance) && number(data, "margin") > 0.0
    })
    .await;
    let moved = until(&mut peer, "account", "the equity after a price move", |data| {
        near(&data["balance"], balance) && !near(&data["equity"], number(&first, "equity"))
    })
    .await;
    let floating = number(&moved, "equity") - balance;
    assert!((floating - number(&moved, "profit")).abs() < 1e-6, "equity is balance plus floating profit: {moved}");
    peer.close().await;
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_streams_equity_moved_by_the_price_alone() {
    equity_moves_without_a_trade(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_streams_equity_moved_by_the_price_alone() {
    equity_moves_without_a_trade(Mode::Mt4).await;
}

/// Starts a terminal in `mode` running its shipped EA behind the demo's gateway, under a token of its own, and
/// returns the handle (for the broker's test hooks) and the token.
fn own_terminal(demo: &metaapi_demo::Demo, mode: Mode, name: &str) -> (metaapi_terminal_sim::SimHandle, String) {
    use metaapi_terminal_sim::{BridgeAbi, start};

    let (mut config, token) = own_terminal_config(demo, mode, name);
    config.seed = 7;
    (start(BridgeAbi::linked(), config).expect("the terminal starts"), token)
}

/// The broker's operations on an MT5 account (MT5 has 18 deal types; these are the ones that are not trades) reach
/// the EA through OnTradeTransaction: each is a `deal_added` with its own type, its amount as profit and no symbol,
/// the account follows, and the history lists every one of them by type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_streams_and_lists_the_brokers_rare_deal_types() {
    use metaapi_protocol::methods::DealType;

    let demo = start_demo(Vec::new()).await;
    let (sim, token) = own_terminal(&demo, Mode::Mt5Hedging, "deal-types");
    // A subscription is accepted before the terminal links; a call to the terminal is answered only after.
    let (mut peer, before) = crate::support::eventually("the terminal links", || async {
        let mut peer = WsPeer::connect(&demo.url, &token).await;
        let answer = peer.call("get_account_info", json!({})).await;
        let Some(before) = answer.get("result").cloned() else { return Err(answer.to_string()) };
        ok(&mut peer, "subscribe", json!({"streams": [{"type": "trades"}, {"type": "account"}]})).await;
        Ok((peer, before))
    })
    .await;
    let operations = [
        (DealType::Balance, "balance", 500.0),
        (DealType::Credit, "credit", 200.0),
        (DealType::Commission, "commission", -1.5),
        (DealType::CommissionDaily, "commission_daily", -3.5),
        (DealType::CommissionAgentMonthly, "commission_agent_monthly", -2.0),
        (DealType::Interest, "interest", 1.25),
        (DealType::Dividend, "dividend", 4.0),
        (DealType::DividendFranked, "dividend_franked", 2.5),
        (DealType::Tax, "tax", -0.75),
        (DealType::Charge, "charge", -5.0),
        (DealType::Bonus, "bonus", 10.0),
        (DealType::Correction, "correction", 0.5),
    ];
    let mut tickets = Vec::new();
    for (kind, name, amount) in operations {
        let ticket = sim.broker_operation(kind, amount, name).expect("an operation").to_string();
        let deal = until(&mut peer, "deal_added", name, |data| data["ticket"] == json!(ticket)).await;
        assert_eq!(deal["type"], name, "{deal}");
        assert!(near(&deal["profit"], amount), "{deal}");
        assert_eq!(deal["symbol"], "", "{deal}");
        assert_eq!(deal["comment"], name, "{deal}");
        assert!(deal["position_id"].is_null(), "an operation belongs to no position: {deal}");
        tickets.push(ticket);
    }
    assert_eq!(sim.broker_operation(DealType::BuyCanceled, 1.0, "no"), None, "a cancelled buy is no operation");
    let balance = number(&before, "balance")
        + operations.iter().filter(|op| op.0 != DealType::Credit).map(|op| op.2).sum::<f64>();
    let account = until(&mut peer, "account", "the account after the operations", |data| {
        near(&data["credit"], 200.0) && (number(data, "balance") - balance).abs() < 1e-6
    })
    .await;
    assert!((number(&account, "equity") - balance - 200.0).abs() < 1e-6, "{account}");
    let history = ok(&mut peer, "get_history_deals", json!({"from": 0})).await;
    let deals = history["deals"].as_array().expect("deals");
    for ((_, name, _), ticket) in operations.iter().zip(&tickets) {
        let row =
            deals.iter().find(|deal| deal["ticket"] == json!(ticket)).unwrap_or_else(|| panic!("{ticket}: {history}"));
        assert_eq!(row["type"], *name, "{row}");
    }
    peer.close().await;
    sim.stop();
    demo.stop().await;
}

/// `close_position_by` on MT5 hedging: the EA reports the close-by order with its type, the closed position and the
/// opposite one, its two `out_by` deals, and both positions removed; the history keeps the order the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_reports_a_close_by_order_with_its_type_and_both_positions() {
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    ok(&mut peer, "subscribe", json!({"streams": [{"type": "trades"}]})).await;
    let buy = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.3})).await;
    let sell = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "sell", "volume": 0.1})).await;
    let (first, second) = (text(&buy, "position_id"), text(&sell, "position_id"));
    let params = json!({"ticket": first, "opposite_ticket": second, "client_id": "streams-close-by"});
    let closed = ok(&mut peer, "close_position_by", params).await;
    let order = text(&closed, "order");
    assert_eq!(closed["client_id"], "streams-close-by", "{closed}");
    let completed =
        until(&mut peer, "order_completed", "the close-by order", |data| data["ticket"] == json!(order)).await;
    assert_eq!(completed["type"], "close_by", "{completed}");
    assert_eq!(completed["state"], "filled", "{completed}");
    assert_eq!(completed["position_id"], json!(first), "{completed}");
    assert_eq!(completed["position_by"], json!(second), "{completed}");
    assert!(near(&completed["volume_initial"], 0.1), "{completed}");
    assert_eq!(completed["client_id"], "streams-close-by", "{completed}");
    for position in [&first, &second] {
        let deal = until(&mut peer, "deal_added", "a close-by deal", |data| {
            data["position_id"] == json!(position) && data["entry"] == "out_by"
        })
        .await;
        assert_eq!(deal["order"], json!(order), "{deal}");
        assert!(near(&deal["volume"], 0.1), "{deal}");
    }
    until(&mut peer, "position_removed", "the opposite position", |data| data["ticket"] == json!(second)).await;
    let rest = until(&mut peer, "position_updated", "what is left of the first", |data| {
        data["ticket"] == json!(first) && near(&data["volume"], 0.2)
    })
    .await;
    assert_eq!(rest["side"], "buy", "{rest}");
    let history = ok(&mut peer, "get_history_orders", json!({"ticket": order})).await;
    let row = &history["orders"][0];
    assert_eq!((&row["type"], &row["position_by"]), (&json!("close_by"), &json!(second)), "{history}");
    peer.close().await;
    demo.stop().await;
}

/// `close_position_by` on MT4 (OrderCloseBy): both trades leave, each with its `out` deal, and what is left of the
/// bigger one reopens under a new ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_reports_both_trades_a_close_by_closed() {
    let demo = start_demo(vec![Mode::Mt4]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    ok(&mut peer, "subscribe", json!({"streams": [{"type": "trades"}]})).await;
    let buy = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let sell = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "sell", "volume": 0.1})).await;
    let (first, second) = (text(&buy, "position_id"), text(&sell, "position_id"));
    // The EA learns of MT4 trades by scanning the open orders: both are open at one scan before the close.
    for position in [&first, &second] {
        until(&mut peer, "position_updated", "an opened trade", |data| data["ticket"] == json!(position)).await;
    }
    ok(&mut peer, "close_position_by", json!({"ticket": first, "opposite_ticket": second})).await;
    for position in [&first, &second] {
        until(&mut peer, "position_removed", "a closed trade", |data| data["ticket"] == json!(position)).await;
        let deal = until(&mut peer, "deal_added", "a closed trade's deal", |data| {
            data["position_id"] == json!(position) && data["entry"] != "in"
        })
        .await;
        assert!(near(&deal["volume"], 0.1), "{deal}");
    }
    let positions = ok(&mut peer, "get_positions", json!({})).await;
    assert_eq!(positions["positions"], json!([]), "{positions}");
    peer.close().await;
    demo.stop().await;
}

/// MT4 keeps a call's `client_id` in the order comment, as MT5 does, so the terminal's own rows name the call that
/// made them (what a client matches after a relink, when the gateway's record is not enough).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_keeps_the_client_id_in_the_terminals_rows() {
    let demo = start_demo(vec![Mode::Mt4]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let placed = ok(
        &mut peer,
        "place_order",
        json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": "mt4-cid-1"}),
    )
    .await;
    let ticket = text(&placed, "position_id");
    let position = ok(&mut peer, "get_position", json!({"ticket": ticket})).await;
    assert_eq!(position["client_id"], "mt4-cid-1", "{position}");
    assert_eq!(position["comment"], "cid:mt4-cid-1", "{position}");
    // A comment of the caller's own wins: the id is not kept then.
    let commented = ok(
        &mut peer,
        "place_order",
        json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": "mt4-cid-2", "comment": "mine"}),
    )
    .await;
    let other = ok(&mut peer, "get_position", json!({"ticket": text(&commented, "position_id")})).await;
    assert!(other["client_id"].is_null() && other["comment"] == "mine", "{other}");
    ok(&mut peer, "close_position", json!({"ticket": ticket})).await;
    let deals = ok(&mut peer, "get_history_deals", json!({"position_id": ticket})).await;
    let rows = deals["deals"].as_array().expect("deals");
    assert_eq!(rows.len(), 2, "{deals}");
    assert!(rows.iter().all(|deal| deal["client_id"] == "mt4-cid-1"), "{deals}");
    let orders = ok(&mut peer, "get_history_orders", json!({"ticket": ticket})).await;
    assert_eq!(orders["orders"][0]["client_id"], "mt4-cid-1", "{orders}");
    peer.close().await;
    demo.stop().await;
}

/// Waits until the demo terminal's EA's (MarketBookAdd, MarketBookRelease) counts are `want`, or fails after [`WAIT`].
async fn until_book_calls(demo: &metaapi_demo::Demo, want: (u64, u64), what: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let calls = demo.terminals[0].book_calls();
        if calls == want {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: (added, released) stayed {calls:?}, not {want:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// `get_book` of the shipped MT5 EA adds a book only when nobody holds it and gives it back after the read; while a
/// subscriber holds the book, `get_book` reads it without adding it again or releasing it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_get_book_adds_a_book_only_when_not_held_and_gives_it_back() {
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    for round in 1..=2u64 {
        let book = ok(&mut peer, "get_book", json!({"symbol": "GBPUSD"})).await;
        assert!(!book["entries"].as_array().expect("entries").is_empty(), "{book}");
        until_book_calls(&demo, (round, round), "a read of a book nobody holds").await;
    }
    let subscribed = ok(&mut peer, "subscribe", json!({"streams": [{"type": "book", "symbol": "GBPUSD"}]})).await;
    until_book_calls(&demo, (3, 2), "the subscriber's book").await;
    for _ in 0..3 {
        let book = ok(&mut peer, "get_book", json!({"symbol": "GBPUSD"})).await;
        assert_eq!(book["symbol"], "GBPUSD", "{book}");
    }
    assert_eq!(demo.terminals[0].book_calls(), (3, 2), "reads of a held book neither add nor release it");
    let id = subscribed["subscriptions"][0]["id"].clone();
    ok(&mut peer, "unsubscribe", json!({"subscription_ids": [id]})).await;
    until_book_calls(&demo, (3, 3), "the book nobody wants any more").await;
    let refused = peer.call("get_book", json!({"symbol": "NOSUCH"})).await;
    assert!(refused.get("error").is_some(), "{refused}");
    assert_eq!(demo.terminals[0].book_calls(), (3, 3), "an unknown symbol's book is never added");
    peer.close().await;
    demo.stop().await;
}

/// MT4 keeps the broker's balance and credit operations in its history (types 6 and 7): the EA lists them as
/// `balance` and `credit` deals with no order or position, not as orders, and the account stream follows them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_lists_balance_and_credit_operations_as_deals() {
    use metaapi_protocol::methods::DealType;

    let demo = start_demo(Vec::new()).await;
    let (sim, token) = own_terminal(&demo, Mode::Mt4, "mt4-operations");
    // A subscription is accepted before the terminal links; a call to the terminal is answered only after.
    let (mut peer, before) = crate::support::eventually("the terminal links", || async {
        let mut peer = WsPeer::connect(&demo.url, &token).await;
        let answer = peer.call("get_account_info", json!({})).await;
        let Some(account) = answer.get("result") else { return Err(answer.to_string()) };
        let before = number(account, "balance");
        ok(&mut peer, "subscribe", json!({"streams": [{"type": "account"}]})).await;
        Ok((peer, before))
    })
    .await;
    let deposit = sim.broker_operation(DealType::Balance, 300.0, "deposit").expect("a deposit").to_string();
    let credit = sim.broker_operation(DealType::Credit, 100.0, "credit line").expect("a credit").to_string();
    until(&mut peer, "account", "the account after the operations", |data| {
        near(&data["balance"], before + 300.0) && near(&data["credit"], 100.0)
    })
    .await;
    let deals = ok(&mut peer, "get_history_deals", json!({"from": 0})).await;
    let rows = deals["deals"].as_array().expect("deals");
    for (ticket, kind, amount) in [(&deposit, "balance", 300.0), (&credit, "credit", 100.0)] {
        let row = rows.iter().find(|deal| deal["ticket"] == json!(ticket)).unwrap_or_else(|| panic!("{deals}"));
        assert_eq!(row["type"], kind, "{row}");
        assert_eq!(row["entry"], "in", "{row}");
        assert!(near(&row["profit"], amount), "{row}");
        assert!(row["order"].is_null() && row["position_id"].is_null(), "{row}");
    }
    let orders = ok(&mut peer, "get_history_orders", json!({"from": 0})).await;
    let listed = orders["orders"].as_array().expect("orders");
    assert!(
        listed.iter().all(|order| order["ticket"] != json!(deposit) && order["ticket"] != json!(credit)),
        "{orders}"
    );
    peer.close().await;
    sim.stop();
    demo.stop().await;
}

/// What `close_position_by` refuses on each platform: an unknown ticket is `not_found`, two positions on the same
/// side are refused by the terminal, and nothing was closed.
async fn close_by_refusals(mode: Mode) {
    let demo = start_demo(vec![mode]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let first = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let second = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let (first, second) = (text(&first, "position_id"), text(&second, "position_id"));
    let unknown = peer.call("close_position_by", json!({"ticket": first, "opposite_ticket": "999999"})).await;
    assert_eq!(unknown["error"]["data"]["kind"], "not_found", "{unknown}");
    let same_side = peer.call("close_position_by", json!({"ticket": first, "opposite_ticket": second})).await;
    assert_eq!(same_side["error"]["data"]["kind"], "trade_rejected", "{same_side}");
    let positions = ok(&mut peer, "get_positions", json!({})).await;
    assert_eq!(positions["positions"].as_array().map(Vec::len), Some(2), "{positions}");
    peer.close().await;
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_ea_refuses_a_close_by_of_an_unknown_or_same_side_position() {
    close_by_refusals(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_ea_refuses_a_close_by_of_an_unknown_or_same_side_position() {
    close_by_refusals(Mode::Mt4).await;
}

/// A netting account has no close-by: the call is refused as unsupported before anything is traded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_by_on_a_netting_account_is_unsupported() {
    let demo = start_demo(vec![Mode::Mt5Netting]).await;
    let mut peer = WsPeer::connect(&demo.url, &demo.terminals[0].token).await;
    let placed = ok(&mut peer, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let ticket = text(&placed, "position_id");
    let refused = peer.call("close_position_by", json!({"ticket": ticket, "opposite_ticket": "1"})).await;
    assert_eq!(refused["error"]["data"]["kind"], "unsupported", "{refused}");
    let positions = ok(&mut peer, "get_positions", json!({})).await;
    assert_eq!(positions["positions"].as_array().map(Vec::len), Some(1), "{positions}");
    peer.close().await;
    demo.stop().await;
}
