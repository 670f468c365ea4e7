//! Routing: each token reaches only its own terminal, JSON-RPC framing, capability checks, typed replies.

use std::time::Duration;

use metaapi_protocol::types::Capability;
use serde_json::{Value, json};

use crate::harness::{Read, eventually, kind, read, world, world_with, ws_call};
use crate::terminal::{Mode, TestTerminal};

#[tokio::test]
async fn two_terminals_each_client_reaches_only_its_own() {
    let world = world().await;
    let (token_a, terminal_a) = world.terminal("MT5-Live-A", 1001).await;
    let (token_b, terminal_b) = world.terminal("MT5-Live-B", 2002).await;

    let (status, body) = world.gateway.call(&token_a, "get_account_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["login"], 1001);
    let (_, body) = world.gateway.call(&token_b, "get_account_info", json!({})).await;
    assert_eq!(body["result"]["login"], 2002);
    assert_eq!(terminal_a.count("get_account_info"), 1);
    assert_eq!(terminal_b.count("get_account_info"), 1);

    let (_, info) = world.gateway.call(&token_a, "get_gateway_info", json!({})).await;
    assert_eq!(info["result"]["terminal"]["login"], 1001);

    // Streams follow the token too.
    let mut socket_a = world.gateway.connect("/ws", Some(&token_a)).await.unwrap();
    let subscribed =
        ws_call(&mut socket_a, 1, "subscribe", json!({ "streams": [{ "type": "quotes", "symbol": "EURUSD" }] })).await;
    assert_eq!(subscribed["result"]["subscriptions"][0]["stream"]["symbol"], "EURUSD", "{subscribed}");
    eventually(Duration::from_secs(2), || async { terminal_a.state.interest.lock().unwrap().clone() == ["EURUSD"] })
        .await;
    assert!(terminal_b.state.interest.lock().unwrap().is_empty());
    let quote = |bid: f64| json!({ "symbol": "EURUSD", "bid": bid, "ask": bid + 0.0001, "time": 1, "broker_time": "2026.01.01 00:00:00.000" });
    terminal_b.event("quote", quote(2.0));
    terminal_a.event("quote", quote(1.0));
    let Read::Json(notice) = read(&mut socket_a, Duration::from_secs(5)).await else { panic!("no quote") };
    assert_eq!(notice["method"], "quote");
    assert_eq!(notice["params"]["data"]["bid"], 1.0);
    assert_eq!(notice["params"]["seq"], 1);
}

#[tokio::test]
async fn json_rpc_framing_follows_the_specification() {
    let world = world().await;
    let (token, terminal) = world.terminal("Framing", 1).await;
    let gateway = &world.gateway;

    let (status, body) = gateway.post(Some(&token), "{not json").await;
    assert_eq!((status, kind(&body)), (200, "parse_error"));
    assert_eq!(body["error"]["code"], -32700);
    assert_eq!(body["id"], Value::Null);

    let (_, body) = gateway.post(Some(&token), "[]").await;
    assert_eq!(kind(&body), "invalid_request");
    let (_, body) = gateway.post(Some(&token), r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#).await;
    assert_eq!((kind(&body), &body["id"]), ("invalid_request", &json!(7)));

    let (_, body) = gateway.call(&token, "no_such_method", json!({})).await;
    assert_eq!(kind(&body), "method_not_found");
    assert_eq!(body["error"]["code"], -32601);

    let (_, body) =
        gateway.call(&token, "place_order", json!({ "symbol": "EURUSD", "type": "buy", "volume": -1.0 })).await;
    assert_eq!((kind(&body), body["error"]["data"]["field"].as_str()), ("invalid_params", Some("volume")));
    let (_, body) = gateway.call(&token, "place_order", json!({ "type": "buy", "volume": 1.0 })).await;
    assert_eq!(body["error"]["data"]["field"], "symbol");
    let (_, body) = gateway.call(&token, "ping", json!({ "extra": 1 })).await;
    assert_eq!(body["error"]["data"]["field"], "extra");

    // A notification alone gets no body at all.
    let (status, body) = gateway.post(Some(&token), r#"{"jsonrpc":"2.0","method":"ping"}"#).await;
    assert_eq!((status, body), (204, Value::Null));

    let batch = json!([
        { "jsonrpc": "2.0", "id": 1, "method": "ping" },
        { "jsonrpc": "2.0", "method": "ping" },
        { "jsonrpc": "2.0", "id": "b", "method": "get_account_info" },
        42,
        { "jsonrpc": "2.0", "id": 3, "method": "nope" }
    ]);
    let (status, body) = gateway.post(Some(&token), batch.to_string()).await;
    assert_eq!(status, 200);
    let answers = body.as_array().unwrap();
    assert_eq!(answers.len(), 4, "{body}");
    let by_id = |id: Value| answers.iter().find(|answer| answer["id"] == id).unwrap().clone();
    assert_eq!(by_id(json!(1))["result"]["pong"], true);
    assert_eq!(by_id(json!("b"))["result"]["login"], 1);
    assert_eq!(kind(&by_id(json!(3))), "method_not_found");
    assert_eq!(kind(&by_id(Value::Null)), "invalid_request");
    assert_eq!(terminal.count("get_account_info"), 1);

    // Streaming methods exist only on /ws.
    let (_, body) = gateway.call(&token, "list_subscriptions", json!({})).await;
    assert_eq!(kind(&body), "method_not_found");
}

#[tokio::test]
async fn offline_terminal_answers_at_once() {
    let world = world().await;
    let token = world.console.create_token("Nobody-Home", None).await.token;
    for method in ["ping", "get_account_info", "place_order"] {
        let params = if method == "place_order" {
            json!({ "symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": "off-1" })
        } else {
            json!({})
        };
        let (status, body) = world.gateway.call(&token, method, params).await;
        assert_eq!((status, kind(&body)), (200, "terminal_offline"), "{method}: {body}");
        assert_eq!(body["error"]["data"]["retryable"], true);
    }
}

#[tokio::test]
async fn missing_capabilities_and_bad_replies_never_reach_the_client() {
    let world = world().await;
    let (token, terminal) = world.terminal("Caps", 5).await;
    let (_, body) =
        world.gateway.call(&token, "close_position_by", json!({ "ticket": "1", "opposite_ticket": "2" })).await;
    assert_eq!(kind(&body), "unsupported", "{body}");
    assert_eq!(body["error"]["data"]["platform"], "mt5");
    assert_eq!(terminal.count("close_position_by"), 0);

    terminal.set_mode(Mode::BadReply);
    let (_, body) = world.gateway.call(&token, "get_account_info", json!({})).await;
    assert_eq!(kind(&body), "invalid_terminal_reply", "{body}");
    assert!(body.get("result").is_none());
}

#[tokio::test]
async fn a_second_terminal_is_refused_until_the_first_stops_answering() {
    let world = world_with(|config| {
        config.heartbeat_interval = Duration::from_millis(100);
        config.heartbeat_timeout = Duration::from_millis(600);
    })
    .await;
    let (token, first) = world.terminal("Single", 10).await;
    let url = world.gateway.ws_url("/terminal");
    let Err((status, body)) = TestTerminal::link(&url, &token, 11, vec![Capability::Hedging]).await else {
        panic!("a second terminal was accepted")
    };
    assert_eq!((status, kind(&body)), (409, "terminal_conflict"));

    first.stop_heartbeats();
    eventually(Duration::from_secs(5), || async { !first.linked() }).await;
    let second = TestTerminal::link(&url, &token, 11, vec![Capability::Hedging]).await.unwrap();
    let (_, body) = world.gateway.call(&token, "get_account_info", json!({})).await;
    assert_eq!(body["result"]["login"], 11);
    assert_eq!(second.count("get_account_info"), 1);
}

#[tokio::test]
async fn bad_hellos_are_refused_with_a_reason() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let world = world().await;
    let token = world.console.create_token("Hello", None).await.token;
    let mut socket = world.gateway.connect("/terminal", Some(&token)).await.unwrap();
    let hello = json!({ "type": "hello", "link_version": 99, "bridge_version": "x",
        "terminal": crate::terminal::identity(1), "capabilities": [] });
    socket.send(Message::text(hello.to_string())).await.unwrap();
    let Read::Json(refused) = read(&mut socket, Duration::from_secs(5)).await else { panic!("no refusal") };
    assert_eq!(refused["type"], "refused");
    assert_eq!(refused["error"]["data"]["kind"], "invalid_request");
    assert!(matches!(read(&mut socket, Duration::from_secs(5)).await, Read::Closed(4400)));
}
