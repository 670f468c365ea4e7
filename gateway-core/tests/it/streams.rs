//! Streams over /ws: subscriptions, seq, snapshots, terminal status, the slow-consumer policy, shutdown.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use metaapi_protocol::methods::StreamSpec;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{Read, eventually, read, response, world, world_with, ws_call};

fn account_event(login: u64, balance: f64) -> serde_json::Value {
    json!({ "platform": "mt5", "login": login, "name": "T", "server": "S", "company": "C", "currency": "USD",
        "currency_digits": 2, "leverage": 100, "balance": balance, "credit": 0.0, "profit": 0.0, "equity": balance,
        "margin": 0.0, "free_margin": balance, "margin_call_level": 100.0, "stop_out_level": 50.0,
        "stop_out_mode": "percent", "margin_mode": "hedging", "trade_mode": "demo", "trade_allowed": true,
        "expert_allowed": true, "limit_orders": 0, "fifo_close": false, "investor_mode": false })
}

#[tokio::test]
async fn subscriptions_deliver_notifications_in_seq_order() {
    let world = world().await;
    let (token, terminal) = world.terminal("Streams", 9).await;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    let subscribed = ws_call(
        &mut socket,
        1,
        "subscribe",
        json!({ "streams": [
        { "type": "account" }, { "type": "ticks", "symbol": "GBPUSD" }, { "type": "account" }
    ] }),
    )
    .await;
    let subscriptions = subscribed["result"]["subscriptions"].as_array().unwrap().clone();
    assert_eq!(subscriptions.len(), 3);
    assert_eq!(subscriptions[0]["id"], subscriptions[2]["id"], "the same stream keeps its id");
    eventually(Duration::from_secs(2), || async { terminal.state.interest.lock().unwrap().clone() == ["GBPUSD"] })
        .await;
    let demand = terminal.state.demand.lock().unwrap().clone();
    assert_eq!(
        demand,
        [StreamSpec::Account, StreamSpec::Ticks { symbol: "GBPUSD".into() }],
        "the terminal is told every distinct stream, symbol-less ones too"
    );

    terminal.event("account", account_event(9, 1.0));
    terminal.event("account", json!({ "not": "an account" }));
    terminal.event("tick", json!({ "symbol": "GBPUSD", "tick": { "time": 1, "bid": 1.2, "ask": 1.3, "last": 0.0, "volume": 0.0, "flags": 6 } }));
    terminal.event("tick", json!({ "symbol": "USDJPY", "tick": { "time": 1, "bid": 1.2, "ask": 1.3, "last": 0.0, "volume": 0.0, "flags": 6 } }));
    terminal.event("account", account_event(9, 2.0));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let Read::Json(notice) = read(&mut socket, Duration::from_secs(5)).await else { panic!("closed") };
        seen.push(notice);
    }
    let seqs: Vec<u64> = seen.iter().map(|notice| notice["params"]["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(seen[0]["params"]["data"]["balance"], 1.0);
    assert_eq!(seen[0]["params"]["subscription_id"], subscriptions[0]["id"]);
    assert_eq!(seen[1]["method"], "tick");
    assert_eq!(seen[2]["params"]["data"]["balance"], 2.0);

    let snapshot = ws_call(&mut socket, 2, "get_snapshot", json!({})).await;
    assert_eq!(snapshot["result"]["seq"], 3, "{snapshot}");
    assert_eq!(snapshot["result"]["account"]["login"], 9);

    let listed = ws_call(&mut socket, 3, "list_subscriptions", json!({})).await;
    assert_eq!(listed["result"]["subscriptions"].as_array().unwrap().len(), 2);
    let tick_id = subscriptions[1]["id"].clone();
    let removed = ws_call(&mut socket, 4, "unsubscribe", json!({ "subscription_ids": [tick_id, "nope"] })).await;
    assert_eq!(removed["result"]["unsubscribed"], json!([subscriptions[1]["id"]]));
    eventually(Duration::from_secs(2), || async { terminal.state.interest.lock().unwrap().is_empty() }).await;
    assert_eq!(terminal.state.demand.lock().unwrap().clone(), [StreamSpec::Account], "demand follows unsubscribe");
}

#[tokio::test]
async fn terminal_status_follows_the_link() {
    let world = world().await;
    let token = world.console.create_token("Status", None).await.token;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    ws_call(&mut socket, 1, "subscribe", json!({ "streams": [{ "type": "terminal" }] })).await;
    let terminal =
        crate::terminal::TestTerminal::link(&world.gateway.ws_url("/terminal"), &token, 1, vec![]).await.unwrap();
    let Read::Json(online) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(
        (online["method"].as_str(), online["params"]["data"]["online"].as_bool()),
        (Some("terminal_status"), Some(true))
    );
    terminal.drop_link();
    let Read::Json(offline) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(offline["params"]["data"]["online"], false);
}

/// The program's report (broker connection, trade permission) is relayed as it comes, kept per terminal, and carried by
/// the gateway's own notice when the terminal links again; the offline notice says false for both.
#[tokio::test]
async fn terminal_status_merges_the_programs_report_with_the_link() {
    let world = world().await;
    let token = world.console.create_token("Reported", None).await.token;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    ws_call(&mut socket, 1, "subscribe", json!({ "streams": [{ "type": "terminal" }] })).await;
    let url = world.gateway.ws_url("/terminal");
    let terminal = crate::terminal::TestTerminal::link(&url, &token, 1, vec![]).await.unwrap();
    let status = |notice: &serde_json::Value| {
        assert_eq!(notice["method"], "terminal_status", "{notice}");
        let data = &notice["params"]["data"];
        (data["online"].as_bool(), data["broker_connected"].as_bool(), data["trade_allowed"].as_bool())
    };
    let Read::Json(linked) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(status(&linked), (Some(true), Some(false), Some(false)), "nothing reported yet");
    terminal
        .event("terminal_status", json!({"online": true, "broker_connected": true, "trade_allowed": false, "time": 1}));
    let Read::Json(reported) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(status(&reported), (Some(true), Some(true), Some(false)), "the report is relayed");
    terminal.drop_link();
    let Read::Json(offline) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(status(&offline), (Some(false), Some(false), Some(false)));
    let _again = crate::terminal::TestTerminal::link(&url, &token, 1, vec![]).await.unwrap();
    let Read::Json(relinked) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(status(&relinked), (Some(true), Some(true), Some(false)), "the last report outlives the link");
}

#[tokio::test]
async fn a_slow_reader_gets_a_gap_notice_and_no_holes_in_seq() {
    let world = world_with(|config| config.ws_queue = 8).await;
    let (token, terminal) = world.terminal("Flood", 4).await;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    ws_call(&mut socket, 1, "subscribe", json!({ "streams": [{ "type": "account" }] })).await;
    // Far more than the socket buffers and the queue hold, while the client does not read.
    for index in 0..20_000 {
        terminal.event("account", account_event(4, f64::from(index)));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut expected_seq = 1;
    let mut gaps = 0;
    let mut last_balance = -1.0;
    // Read until the connection has been quiet for a second: everything queued has arrived by then.
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(1), socket.next()).await {
        let Message::Text(text) = message else { continue };
        let notice: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(notice["params"]["seq"], expected_seq, "seq has no holes");
        expected_seq += 1;
        if notice["method"] == "stream_gap" {
            gaps += 1;
            assert_eq!(notice["params"]["data"]["reason"], "slow_consumer");
            assert!(notice["params"]["data"]["dropped"].as_u64().unwrap() > 0);
            continue;
        }
        let balance = notice["params"]["data"]["balance"].as_f64().unwrap();
        assert!(balance > last_balance, "events stay in order");
        last_balance = balance;
    }
    assert!(gaps > 0, "nothing was dropped; the test did not overflow the queue");
    // Once the reader keeps up again, events flow without loss.
    terminal.event("account", account_event(4, 1e9));
    let Read::Json(notice) = read(&mut socket, Duration::from_secs(5)).await else { panic!("closed") };
    assert_eq!(notice["params"]["data"]["balance"], 1e9);
    assert_eq!(notice["params"]["seq"], expected_seq);
}

#[tokio::test]
async fn shutdown_closes_websockets_and_links_with_1001() {
    let mut world = world().await;
    let (token, terminal) = world.terminal("Bye", 1).await;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    socket.send(Message::text(json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" }).to_string())).await.unwrap();
    response(&mut socket, 1).await;
    world.gateway.stop().await;
    assert!(matches!(read(&mut socket, Duration::from_secs(3)).await, Read::Closed(1001)));
    eventually(Duration::from_secs(2), || async { !terminal.linked() }).await;
}

#[tokio::test]
async fn a_quiet_connection_gets_heartbeats() {
    let world = world_with(|config| config.ws_heartbeat_interval = Duration::from_millis(200)).await;
    let token = world.console.create_token("Quiet", None).await.token;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    let Read::Json(beat) = read(&mut socket, Duration::from_secs(3)).await else { panic!("closed") };
    assert_eq!(beat["method"], "heartbeat");
    assert_eq!(beat["params"]["seq"], 1);
    assert!(beat["params"]["data"]["time"].as_i64().unwrap() > 0);
}
