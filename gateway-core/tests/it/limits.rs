//! Limits that protect without locking out: the failed-authorization limiter, `Retry-After`, and subscription caps.

use std::time::Duration;

use serde_json::json;

use crate::harness::{World, eventually, kind, world_with, ws_call};
use crate::harness::{metric, metrics_of};
use crate::terminal::TestTerminal;

/// `POST /rpc` with `token` (none when empty): the status, the `Retry-After` header and the body.
async fn post(world: &World, token: &str) -> (u16, Option<String>, serde_json::Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http
        .post(world.gateway.url("/rpc"))
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|value| value.to_str().unwrap().to_owned());
    (status, retry_after, response.json().await.unwrap())
}

async fn limited_world() -> World {
    world_with(|config| {
        config.auth_fail_limit = 3;
        config.auth_fail_delay = Duration::from_millis(50);
    })
    .await
}

#[tokio::test]
async fn a_valid_token_passes_after_many_failures_from_the_same_address() {
    let world = limited_world().await;
    let base = world.gateway.url("");
    let deleted = world.console.create_token("Deleted", None).await;
    world.console.delete_token(&deleted.summary.id).await;
    let dead = deleted.token;
    let valid = world.console.create_token("Valid", None).await.token;
    let terminal_token = world.console.create_token("Terminal", None).await.token;

    // A script retrying a dead token: its failures count against the shared loopback address.
    for _ in 0..3 {
        let (status, _, body) = post(&world, &dead).await;
        assert_eq!((status, kind(&body)), (401, "token_revoked"));
    }
    for _ in 0..5 {
        let (status, retry_after, body) = post(&world, &dead).await;
        assert_eq!((status, kind(&body)), (429, "rate_limited"), "{body}");
        assert!(body["error"]["data"]["retry_after_ms"].as_u64().unwrap() > 0);
        let seconds: u64 = retry_after.expect("a 429 without Retry-After").parse().unwrap();
        assert!((1..=60).contains(&seconds), "Retry-After: {seconds}");
    }
    let (status, _, body) = post(&world, "").await;
    assert_eq!((status, kind(&body)), (429, "rate_limited"), "no token at all is refused too");

    // A token the gateway has not seen refused is still asked about: a guess is answered by the console's verdict,
    // late; valid tokens pass, over every endpoint, never refused.
    let delays = metric(&metrics_of(&base).await, "auth_fail_delays_total");
    let (status, _, body) = post(&world, "mat_a_new_guess").await;
    assert_eq!((status, kind(&body)), (401, "token_unknown"));
    assert_eq!(metric(&metrics_of(&base).await, "auth_fail_delays_total"), delays + 1, "the failure was not slowed");
    let (status, _, body) = post(&world, &valid).await;
    assert_eq!(status, 200, "a valid token was refused: {body}");
    assert!(world.gateway.connect("/ws", Some(&valid)).await.is_ok(), "/ws refused a valid token");
    let terminal = TestTerminal::link(&world.gateway.ws_url("/terminal"), &terminal_token, 4, vec![]).await.map(|_| ());
    assert!(terminal.is_ok(), "/terminal refused a valid token: {terminal:?}");
    // The guess is known now, and refused without asking the console again.
    let (status, _, _) = post(&world, "mat_a_new_guess").await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn every_429_carries_retry_after() {
    let world = limited_world().await;
    for _ in 0..3 {
        post(&world, "mat_dead").await;
    }
    let (status, retry_after, _) = post(&world, "mat_dead").await;
    assert_eq!((status, retry_after.is_some()), (429, true), "/rpc");
    // The WebSocket endpoints refuse before the upgrade, with the same status and header.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for path in ["/ws", "/terminal"] {
        let response = http.get(world.gateway.url(path)).bearer_auth("mat_dead").send().await.unwrap();
        assert_eq!(response.status(), 429, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path} answered 429 without Retry-After");
    }
}

fn quotes(symbols: &[&str]) -> serde_json::Value {
    let streams: Vec<_> = symbols.iter().map(|symbol| json!({ "type": "quotes", "symbol": symbol })).collect();
    json!({ "streams": streams })
}

#[tokio::test]
async fn subscriptions_are_capped_per_connection_and_per_token() {
    let world = world_with(|config| {
        config.max_subscriptions_per_connection = 3;
        config.max_subscriptions_per_token = 5;
    })
    .await;
    let (token, _terminal) = world.terminal("Capped", 6).await;
    let mut first = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    let mut second = world.gateway.connect("/ws", Some(&token)).await.unwrap();

    let refused = ws_call(&mut first, 1, "subscribe", quotes(&["EURUSD", "GBPUSD", "USDJPY", "XAUUSD"])).await;
    assert_eq!(kind(&refused), "payload_too_large", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("at most 3"), "{refused}");
    let listed = ws_call(&mut first, 2, "list_subscriptions", json!({})).await;
    assert_eq!(listed["result"]["subscriptions"], json!([]), "a refused call subscribes to nothing");
    // Streams already held, and the same stream twice, cost nothing more.
    let taken = ws_call(&mut first, 3, "subscribe", quotes(&["EURUSD", "GBPUSD", "GBPUSD"])).await;
    assert_eq!(taken["result"]["subscriptions"].as_array().unwrap().len(), 3, "{taken}");
    let again = ws_call(&mut first, 4, "subscribe", quotes(&["EURUSD", "USDJPY"])).await;
    assert_eq!(again["result"]["subscriptions"].as_array().unwrap().len(), 2, "{again}");

    // The token's connections hold 3 of 5.
    let refused = ws_call(&mut second, 1, "subscribe", quotes(&["EURUSD", "GBPUSD", "USDJPY"])).await;
    assert_eq!(kind(&refused), "payload_too_large", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("at most 5"), "{refused}");
    let taken = ws_call(&mut second, 2, "subscribe", quotes(&["EURUSD", "GBPUSD"])).await;
    assert!(taken["result"].is_object(), "{taken}");

    // Unsubscribing, and closing a connection, give the token's share back.
    let held = ws_call(&mut first, 5, "list_subscriptions", json!({})).await;
    let ids: Vec<_> = held["result"]["subscriptions"].as_array().unwrap().iter().map(|sub| sub["id"].clone()).collect();
    ws_call(&mut first, 6, "unsubscribe", json!({ "subscription_ids": [ids[0]] })).await;
    let taken = ws_call(&mut second, 3, "subscribe", json!({ "streams": [{ "type": "account" }] })).await;
    assert!(taken["result"].is_object(), "{taken}");
    drop(first);
    eventually(Duration::from_secs(5), || async {
        let mut third = world.gateway.connect("/ws", Some(&token)).await.unwrap();
        let answer = ws_call(&mut third, 1, "subscribe", quotes(&["EURUSD", "GBPUSD"])).await;
        answer["result"].is_object()
    })
    .await;
}

#[tokio::test]
async fn subscribe_refuses_unknown_symbols_and_stream_kinds() {
    let world = world_with(|_| {}).await;
    let (token, terminal) = world.terminal("Symbols", 7).await;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();

    let refused = ws_call(&mut socket, 1, "subscribe", quotes(&["EURUSD", "NOSUCH"])).await;
    assert_eq!(kind(&refused), "not_found", "{refused}");
    assert_eq!(refused["error"]["data"]["field"], "streams[1].symbol");
    assert!(refused["error"]["message"].as_str().unwrap().contains("NOSUCH"), "{refused}");
    let candles = json!({ "streams": [{ "type": "candles", "symbol": "nosuch", "timeframe": "m5" }] });
    assert_eq!(kind(&ws_call(&mut socket, 2, "subscribe", candles).await), "not_found");

    let unknown_kind = json!({ "streams": [{ "type": "news", "symbol": "EURUSD" }] });
    let refused = ws_call(&mut socket, 3, "subscribe", unknown_kind).await;
    assert_eq!(kind(&refused), "invalid_params", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("news"), "{refused}");

    let listed = ws_call(&mut socket, 4, "list_subscriptions", json!({})).await;
    assert_eq!(listed["result"]["subscriptions"], json!([]), "refused calls subscribe to nothing");
    for id in 5..8 {
        let taken = ws_call(&mut socket, id, "subscribe", quotes(&crate::terminal::SYMBOLS)).await;
        assert!(taken["result"].is_object(), "{taken}");
    }
    // The list was asked for once, and is reused by later calls of the same link.
    assert_eq!(terminal.count("get_symbols"), 1);
}
