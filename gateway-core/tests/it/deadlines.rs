//! Deadlines: not executed before pickup, outcome unknown after it, and a link that drops mid-request.

use std::sync::Arc;
use std::time::Duration;

use metaapi_protocol::link::BridgeMessage;
use serde_json::json;

use crate::harness::{eventually, kind, world};
use crate::terminal::Mode;

fn order(client_id: &str) -> serde_json::Value {
    json!({ "symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": client_id })
}

#[tokio::test]
async fn a_dropped_link_gives_unknown_for_taken_and_not_executed_for_queued_requests() {
    let world = world().await;
    let (token, terminal) = world.terminal("Dropper", 1).await;
    let gateway = Arc::new(world.gateway);

    terminal.set_mode(Mode::Silent);
    let taken = {
        let gateway = gateway.clone();
        let token = token.clone();
        tokio::spawn(async move { gateway.call(&token, "place_order", order("taken-1")).await })
    };
    eventually(Duration::from_secs(2), || async { terminal.count("place_order") == 1 }).await;
    terminal.set_mode(Mode::Ignore);
    let queued = {
        let gateway = gateway.clone();
        let token = token.clone();
        tokio::spawn(async move { gateway.call(&token, "get_account_info", json!({})).await })
    };
    eventually(Duration::from_secs(2), || async { terminal.count("get_account_info") == 1 }).await;
    terminal.drop_link();

    let (status, body) = taken.await.unwrap();
    assert_eq!((status, kind(&body)), (200, "outcome_unknown"), "{body}");
    assert_eq!(body["error"]["data"]["client_id"], "taken-1");
    assert_eq!(body["error"]["data"]["retryable"], false);
    let (_, body) = queued.await.unwrap();
    assert_eq!(kind(&body), "not_executed", "{body}");
    assert_eq!(body["error"]["data"]["retryable"], true);

    // The outcome stays on record, and the terminal is now offline.
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "taken-1" })).await;
    assert_eq!(record["result"]["status"], "unknown", "{record}");
    let (_, body) = gateway.call(&token, "ping", json!({})).await;
    assert_eq!(kind(&body), "terminal_offline");
}

#[tokio::test]
async fn a_request_not_taken_before_its_deadline_is_not_executed() {
    let world = world().await;
    let (token, terminal) = world.terminal("Slow", 1).await;

    // The gateway's own timer: the terminal never says anything about the request.
    terminal.set_mode(Mode::Ignore);
    let (_, body) = world.gateway.call(&token, "get_account_info", json!({})).await;
    assert_eq!(kind(&body), "not_executed", "{body}");

    // The bridge's answer for a request still queued at its deadline.
    terminal.set_mode(Mode::Hold);
    let (_, body) = world.gateway.call(&token, "place_order", order("held-1")).await;
    assert_eq!(kind(&body), "not_executed", "{body}");

    // Not executed is not an outcome: the same client_id runs when retried.
    terminal.set_mode(Mode::Answer);
    let (_, body) = world.gateway.call(&token, "place_order", order("held-1")).await;
    assert_eq!(body["result"]["retcode"], 10009, "{body}");
    assert_eq!(terminal.count("place_order"), 2);
}

#[tokio::test]
async fn a_taken_request_without_answer_is_unknown_and_a_late_reply_is_filed() {
    let world = world().await;
    let (token, terminal) = world.terminal("Silent", 1).await;
    terminal.set_mode(Mode::Silent);
    let (_, body) = world.gateway.call(&token, "place_order", order("late-1")).await;
    assert_eq!(kind(&body), "outcome_unknown", "{body}");
    let (_, record) = world.gateway.call(&token, "get_trade_result", json!({ "client_id": "late-1" })).await;
    assert_eq!(record["result"]["status"], "unknown");

    // The bridge finally answers; the gateway files the outcome under the client_id.
    let result = json!({ "client_id": "late-1", "retcode": 10009, "retcode_name": "TRADE_RETCODE_DONE",
        "message": "done", "order": "77", "volume": 0.1, "price": 1.1, "comment": "", "platform": "mt5" });
    terminal.send(&BridgeMessage::Reply {
        id: terminal.last_id("place_order"),
        client_id: Some("late-1".into()),
        method: "place_order".into(),
        result: Some(result),
        error: None,
    });
    let gateway = &world.gateway;
    eventually(Duration::from_secs(2), || async {
        let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "late-1" })).await;
        record["result"]["status"] == "done"
    })
    .await;
    let (_, repeat) = gateway.call(&token, "place_order", order("late-1")).await;
    assert_eq!(repeat["result"]["order"], "77");
    assert_eq!(terminal.count("place_order"), 1);
}
