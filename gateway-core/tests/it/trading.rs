//! Idempotent trading: one execution per client_id, conflicts, records, and persistence across a restart.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::harness::{TestGateway, config, kind, world};
use crate::terminal::{Mode, TestTerminal};

/// A deal row as an MT5 terminal lists it, carrying `client_id`.
fn deal(ticket: &str, client_id: &str, entry: &str) -> serde_json::Value {
    json!({ "ticket": ticket, "order": "500", "position_id": "500", "symbol": "EURUSD", "type": "buy",
        "entry": entry, "volume": 0.1, "price": 1.2345, "commission": 0.0, "swap": 0.0, "fee": 0.0, "profit": 0.0,
        "magic": 0, "comment": format!("cid:{client_id}"), "client_id": client_id, "reason": "expert",
        "time": metaapi_gateway_core::auth::now_ms(), "broker_time": "2030-01-01 10:00:00.000", "platform": "mt5" })
}

/// A pending order row carrying `client_id`.
fn pending(ticket: &str, client_id: &str) -> serde_json::Value {
    json!({ "ticket": ticket, "symbol": "EURUSD", "type": "buy_limit", "state": "placed", "volume_initial": 0.2,
        "volume_current": 0.2, "price_open": 1.1, "price_current": 1.2, "time_setup": 1, "time_in_force": "gtc",
        "filling": "return", "magic": 0, "comment": format!("cid:{client_id}"), "client_id": client_id,
        "reason": "expert", "platform": "mt5" })
}

/// Places an order under `client_id` on a terminal that takes it and never answers: the record is `unknown`.
async fn lost(gateway: &TestGateway, token: &str, terminal: &TestTerminal, params: serde_json::Value) {
    terminal.set_mode(Mode::Silent);
    let client_id = params["client_id"].as_str().unwrap().to_owned();
    let method = if params.get("ticket").is_some() { "modify_position" } else { "place_order" };
    let (_, body) = gateway.call(token, method, params).await;
    assert_eq!(kind(&body), "outcome_unknown", "{body}");
    terminal.set_mode(Mode::Answer);
    let (_, record) = gateway.call(token, "get_trade_result", json!({ "client_id": client_id })).await;
    assert_eq!(record["result"]["status"], "unknown", "nothing shows it yet: {record}");
}

fn order(client_id: &str, volume: f64) -> serde_json::Value {
    json!({ "symbol": "EURUSD", "type": "buy", "volume": volume, "client_id": client_id })
}

#[tokio::test]
async fn the_same_client_id_sent_100_times_concurrently_places_one_order() {
    let world = world().await;
    let (token, terminal) = world.terminal("Idempotent", 1).await;
    terminal.set_mode(Mode::Delay(Duration::from_millis(300)));
    let gateway = Arc::new(world.gateway);
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let gateway = gateway.clone();
            let token = token.clone();
            tokio::spawn(async move { gateway.call(&token, "place_order", order("once-1", 0.1)).await })
        })
        .collect();
    let mut orders = Vec::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, 200);
        orders.push(body["result"]["order"].as_str().expect("a result").to_owned());
    }
    assert_eq!(terminal.count("place_order"), 1);
    assert!(orders.iter().all(|order| *order == orders[0]));

    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "once-1" })).await;
    assert_eq!(record["result"]["status"], "done");
    assert_eq!(record["result"]["method"], "place_order");
    assert_eq!(record["result"]["result"]["order"], orders[0].as_str());
}

#[tokio::test]
async fn a_client_id_reused_with_other_params_is_a_conflict() {
    let world = world().await;
    let (token, terminal) = world.terminal("Conflict", 1).await;
    let (_, first) = world.gateway.call(&token, "place_order", order("dup-1", 0.1)).await;
    assert!(first["result"].is_object());
    let (_, body) = world.gateway.call(&token, "place_order", order("dup-1", 0.2)).await;
    assert_eq!(kind(&body), "client_id_conflict");
    let (_, body) = world.gateway.call(&token, "cancel_order", json!({ "ticket": "5", "client_id": "dup-1" })).await;
    assert_eq!(kind(&body), "client_id_conflict");
    assert_eq!(terminal.count("place_order"), 1);
    assert_eq!(terminal.count("cancel_order"), 0);

    let (_, body) = world.gateway.call(&token, "get_trade_result", json!({ "client_id": "never-sent" })).await;
    assert_eq!(kind(&body), "not_found");
}

#[tokio::test]
async fn outcomes_survive_a_gateway_restart() {
    let mut world = world().await;
    let (token, terminal) = world.terminal("Restart", 1).await;
    let (_, first) = world.gateway.call(&token, "place_order", order("keep-1", 0.1)).await;
    let ticket = first["result"]["order"].clone();
    assert!(ticket.is_string());
    world.gateway.stop().await;
    drop(terminal);

    let gateway = TestGateway::start(config(&world.console, world.dir.path())).await;
    let terminal =
        TestTerminal::link(&gateway.ws_url("/terminal"), &token, 1, crate::harness::all_capabilities()).await.unwrap();
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "keep-1" })).await;
    assert_eq!(record["result"]["status"], "done", "{record}");
    let (_, repeat) = gateway.call(&token, "place_order", order("keep-1", 0.1)).await;
    assert_eq!(repeat["result"]["order"], ticket);
    assert_eq!(terminal.count("place_order"), 0);
}

#[tokio::test]
async fn an_unknown_order_is_settled_done_when_the_terminal_shows_a_deal_with_its_client_id() {
    let world = world().await;
    let (token, terminal) = world.terminal("Settle", 1).await;
    let gateway = &world.gateway;
    lost(gateway, &token, &terminal, order("lost-1", 0.1)).await;
    assert!(terminal.count("get_history_deals") >= 1, "the gateway looked for it");
    // Another call's deal proves nothing about this one.
    terminal.state.shows.lock().unwrap().deals.push(deal("700", "someone-else", "in"));
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "lost-1" })).await;
    assert_eq!(record["result"]["status"], "unknown", "{record}");
    terminal.state.shows.lock().unwrap().deals.push(deal("701", "lost-1", "in"));
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "lost-1" })).await;
    assert_eq!(record["result"]["status"], "done", "{record}");
    let result = &record["result"]["result"];
    assert_eq!((result["deal"].as_str(), result["position_id"].as_str()), (Some("701"), Some("500")), "{record}");
    assert_eq!((result["retcode"].as_i64(), result["price"].as_f64()), (Some(10009), Some(1.2345)), "{record}");
    assert_eq!(result["client_id"], "lost-1");
    // Settled is final: a repeat gets it and nothing runs again.
    let (_, repeat) = gateway.call(&token, "place_order", order("lost-1", 0.1)).await;
    assert_eq!(&repeat["result"], result, "{repeat}");
    assert_eq!(terminal.count("place_order"), 1);
}

#[tokio::test]
async fn an_unknown_pending_order_is_settled_placed_from_the_terminals_orders() {
    let world = world().await;
    let (token, terminal) = world.terminal("SettlePending", 1).await;
    let gateway = &world.gateway;
    let limit = json!({ "symbol": "EURUSD", "type": "buy_limit", "volume": 0.2, "price": 1.1, "client_id": "lost-2" });
    lost(gateway, &token, &terminal, limit).await;
    terminal.state.shows.lock().unwrap().history_orders.push(pending("801", "lost-2"));
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "lost-2" })).await;
    assert_eq!(record["result"]["status"], "done", "an order in history proves it was placed: {record}");
    assert_eq!(record["result"]["result"]["order"], "801");
    assert_eq!(record["result"]["result"]["retcode"], 10008, "{record}");
}

#[tokio::test]
async fn an_unknown_call_whose_effect_carries_no_client_id_stays_unknown_and_the_terminal_is_not_asked() {
    let world = world().await;
    let (token, terminal) = world.terminal("SettleNothing", 1).await;
    let gateway = &world.gateway;
    let modify = json!({ "ticket": "500", "sl": 1.0, "client_id": "lost-3" });
    lost(gateway, &token, &terminal, modify).await;
    terminal.state.shows.lock().unwrap().deals.push(deal("702", "lost-3", "in"));
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "lost-3" })).await;
    assert_eq!(record["result"]["status"], "unknown", "{record}");
    assert_eq!(terminal.count("get_history_deals"), 0, "a modification leaves no comment to look for");
}

#[tokio::test]
async fn an_unknown_record_of_an_offline_terminal_stays_unknown() {
    let world = world().await;
    let (token, terminal) = world.terminal("SettleOffline", 1).await;
    let gateway = &world.gateway;
    lost(gateway, &token, &terminal, order("lost-4", 0.1)).await;
    terminal.state.shows.lock().unwrap().deals.push(deal("703", "lost-4", "in"));
    terminal.drop_link();
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "lost-4" })).await;
    assert_eq!(record["result"]["status"], "unknown", "{record}");
}

#[tokio::test]
async fn a_repeat_of_an_unknown_order_gets_what_the_terminal_shows_and_runs_nothing() {
    let world = world().await;
    let (token, terminal) = world.terminal("SettleRepeat", 1).await;
    let gateway = &world.gateway;
    lost(gateway, &token, &terminal, order("lost-5", 0.1)).await;
    let (_, repeat) = gateway.call(&token, "place_order", order("lost-5", 0.1)).await;
    assert_eq!(kind(&repeat), "outcome_unknown", "nothing shows it yet: {repeat}");
    terminal.state.shows.lock().unwrap().positions.push(json!({ "ticket": "900", "position_id": "900",
        "symbol": "EURUSD", "side": "buy", "volume": 0.1, "price_open": 1.2, "price_current": 1.2, "swap": 0.0,
        "commission": 0.0, "profit": 0.0, "magic": 0, "comment": "cid:lost-5", "client_id": "lost-5",
        "reason": "expert", "time": 1, "broker_time": "2030-01-01 10:00:00.000", "update_time": 1,
        "platform": "mt5" }));
    let (_, repeat) = gateway.call(&token, "place_order", order("lost-5", 0.1)).await;
    assert_eq!(repeat["result"]["position_id"], "900", "{repeat}");
    assert_eq!(terminal.count("place_order"), 1, "found, never run again");
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "lost-5" })).await;
    assert_eq!(record["result"]["status"], "done", "{record}");
}
