//! Protocol details a generic JSON-RPC client trips over: refusals that keep the request's id, ids beyond 64 bits,
//! the `Bearer` scheme in any case, `params: []`, long method names, oversized WebSocket messages, calculations
//! out of range, and `Host` values that only look like loopback.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{Read, connect, kind, read, world, world_with};

/// `POST /rpc` with a raw body and a raw `Authorization` header; the status and the body's text.
async fn post_raw(url: &str, authorization: Option<&str>, body: &str) -> (u16, String) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http.post(url).header("content-type", "application/json").body(body.to_owned());
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

#[tokio::test]
async fn auth_refusals_answer_with_the_request_id() {
    let world = world().await;
    let url = world.gateway.url("/rpc");
    let call = |id: &str| format!(r#"{{"jsonrpc": "2.0", "id": {id}, "method": "ping", "params": {{}}}}"#);

    let (status, text) = post_raw(&url, Some("Bearer mat_unknown"), &call(r#""call-7""#)).await;
    assert_eq!((status, kind(&parse(&text)), &parse(&text)["id"]), (401, "token_unknown", &json!("call-7")));
    let (status, text) = post_raw(&url, Some("Bearer mat_unknown"), &call("12345678901234567890123")).await;
    assert_eq!(status, 401);
    assert!(text.contains(r#""id":12345678901234567890123"#), "{text}");

    // 403: the account behind a real token is disabled.
    let token = world.console.create_token("Refused", None).await.token;
    world.console.update_account(json!({ "disabled": true })).await;
    let (status, text) = post_raw(&url, Some(&format!("Bearer {token}")), &call("41")).await;
    assert_eq!((status, kind(&parse(&text)), &parse(&text)["id"]), (403, "account_disabled", &json!(41)));

    // A batch is refused as a whole: one answer with a null id, as for a batch that cannot be read.
    let batch = format!("[{}, {}]", call("1"), call("2"));
    let (status, text) = post_raw(&url, None, &batch).await;
    assert_eq!((status, &parse(&text)["id"]), (401, &Value::Null), "{text}");
    let (status, text) = post_raw(&url, None, "{not json").await;
    assert_eq!((status, &parse(&text)["id"]), (401, &Value::Null), "{text}");

    // 429 once the peer is over its failure limit: a missing token is refused at once, with the id.
    let world = world_with(|config| config.auth_fail_limit = 3).await;
    let url = world.gateway.url("/rpc");
    let mut last = (0, String::new());
    for _ in 0..6 {
        last = post_raw(&url, None, &call(r#""limited""#)).await;
    }
    let (status, text) = last;
    assert_eq!((status, kind(&parse(&text)), &parse(&text)["id"]), (429, "rate_limited", &json!("limited")));
}

#[tokio::test]
async fn a_websocket_call_refused_for_want_of_the_console_keeps_its_id() {
    // Verdicts expire at once and there is no grace period, so with the console gone every call needs it.
    let console =
        crate::harness::TestConsole::start_with(|c| c.verdict_ttl = Duration::from_millis(1)).await.with_admin().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::harness::config(&console, dir.path());
    config.grace_period = Duration::ZERO;
    config.console_timeout = Duration::from_millis(200);
    let gateway = crate::harness::TestGateway::start(config).await;
    let world = crate::harness::World { console, gateway, dir };
    let (token, _terminal) = world.terminal("Outage", 1).await;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    world.console.stop().await;
    let call = r#"{"jsonrpc": "2.0", "id": "during-outage", "method": "ping"}"#;
    socket.send(Message::text(call)).await.unwrap();
    loop {
        let text = socket_text(&mut socket).await;
        let answer = parse(&text);
        if answer["method"] == "heartbeat" {
            continue;
        }
        assert_eq!((kind(&answer), &answer["id"]), ("auth_unavailable", &json!("during-outage")), "{text}");
        break;
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let world = world().await;
    let (token, _terminal) = world.terminal("Scheme", 1).await;
    let body = r#"{"jsonrpc": "2.0", "id": 1, "method": "ping"}"#;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let (status, text) = post_raw(&world.gateway.url("/rpc"), Some(&format!("{scheme} {token}")), body).await;
        assert_eq!(status, 200, "{scheme}: {text}");
        assert_eq!(parse(&text)["result"]["pong"], true, "{scheme}");
    }
    let (status, _) = post_raw(&world.gateway.url("/rpc"), Some(&format!("Basic {token}")), body).await;
    assert_eq!(status, 401);
    let url = world.gateway.ws_url("/ws");
    assert!(connect(&url, None, &[("authorization", &format!("BEARER {token}"))]).await.is_ok());
}

#[tokio::test]
async fn ids_beyond_64_bits_come_back_exactly_as_sent() {
    let world = world().await;
    let (token, _terminal) = world.terminal("Ids", 1).await;
    let authorization = format!("Bearer {token}");
    for id in ["12345678901234567890123", "18446744073709551616", "-99999999999999999999", "1.50"] {
        let body = format!(r#"{{"jsonrpc": "2.0", "id": {id}, "method": "ping"}}"#);
        let (status, text) = post_raw(&world.gateway.url("/rpc"), Some(&authorization), &body).await;
        assert_eq!(status, 200);
        assert!(text.contains(&format!(r#""id":{id},"result""#)), "{id}: {text}");
    }
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    let body = r#"[{"jsonrpc": "2.0", "id": 98765432109876543210987, "method": "ping"}]"#;
    socket.send(Message::text(body)).await.unwrap();
    loop {
        match socket_text(&mut socket).await {
            text if text.contains("heartbeat") => continue,
            text => {
                assert!(text.contains(r#""id":98765432109876543210987,"result""#), "{text}");
                break;
            }
        }
    }
}

async fn socket_text(socket: &mut crate::harness::Socket) -> String {
    use futures_util::StreamExt;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("an answer in time");
        if let Some(Ok(Message::Text(text))) = next {
            return text.to_string();
        }
        assert!(matches!(next, Some(Ok(_))), "the socket ended: {next:?}");
    }
}

#[tokio::test]
async fn an_empty_params_array_means_no_params() {
    let world = world().await;
    let (token, terminal) = world.terminal("Positional", 1).await;
    let (status, body) = world.gateway.call(&token, "ping", json!([])).await;
    assert_eq!((status, body["result"]["pong"].clone()), (200, json!(true)), "{body}");
    let (_, body) = world.gateway.call(&token, "get_account_info", json!([])).await;
    assert!(body.get("result").is_some(), "{body}");
    for params in [json!([]), json!([false])] {
        let (_, body) = world.gateway.call(&token, "get_positions", params).await;
        assert_eq!(kind(&body), "invalid_params", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("get_positions takes named params"), "{message}");
    }
    assert_eq!(terminal.count("get_positions"), 0);
}

#[tokio::test]
async fn a_huge_method_name_is_cut_in_the_error() {
    let world = world().await;
    let (token, _terminal) = world.terminal("Names", 1).await;
    let name = "x".repeat(900 * 1024);
    let (status, body) = world.gateway.call(&token, &name, json!({})).await;
    assert_eq!((status, kind(&body)), (200, "method_not_found"));
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.len() < 300, "the error echoes {} bytes", message.len());
    assert!(message.starts_with(r#"no method named "xxxxxxxx"#), "{message}");
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_with_1009() {
    let world = world_with(|config| config.max_ws_message_bytes = 4096).await;
    let (token, _terminal) = world.terminal("Big", 1).await;
    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    let big = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping", "params": { "pad": "x".repeat(8192) } });
    socket.send(Message::text(big.to_string())).await.unwrap();
    loop {
        match read(&mut socket, Duration::from_secs(5)).await {
            Read::Json(value) if value["method"] == "heartbeat" => continue,
            Read::Closed(code) => break assert_eq!(code, 1009),
            other => panic!("expected a 1009 close, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn calculations_out_of_range_are_invalid_params_and_never_reach_the_terminal() {
    let world = world().await;
    let (token, terminal) = world.terminal("Calc", 1).await;
    let cases = [
        ("calc_margin", json!({ "symbol": "EURUSD", "side": "buy", "volume": 1e300 }), "volume"),
        ("calc_margin", json!({ "symbol": "EURUSD", "side": "buy", "volume": 1.0, "price": 1e308 }), "price"),
        (
            "calc_profit",
            json!({ "symbol": "EURUSD", "side": "buy", "volume": 1e10, "price_open": 1.1, "price_close": 1.2 }),
            "volume",
        ),
        (
            "calc_profit",
            json!({ "symbol": "EURUSD", "side": "buy", "volume": 1.0, "price_open": 1e300, "price_close": 1.0 }),
            "price_open",
        ),
    ];
    for (method, params, field) in cases {
        let (_, body) = world.gateway.call(&token, method, params).await;
        assert_eq!(kind(&body), "invalid_params", "{method}: {body}");
        assert_eq!(body["error"]["data"]["field"], field, "{method}: {body}");
    }
    assert_eq!(terminal.count("calc_margin") + terminal.count("calc_profit"), 0);
}

#[tokio::test]
async fn hosts_that_only_start_like_loopback_are_refused() {
    let world = world().await;
    let (token, _terminal) = world.terminal("Hosts", 1).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" }).to_string();
    let port = world.gateway.addr.port();
    for (host, allowed) in [
        (format!("[::1]:{port}"), true),
        ("[::1]".to_owned(), true),
        (format!("127.0.0.1:{port}"), true),
        ("[::1]evil.com".to_owned(), false),
        (format!("[::1]:{port}evil.com"), false),
        ("[::1]evil.com:80".to_owned(), false),
        (format!("localhost:{port}:1"), false),
        ("127.0.0.1:99999".to_owned(), false),
    ] {
        let response = http
            .post(world.gateway.url("/rpc"))
            .bearer_auth(&token)
            .header("host", &host)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status() == 200, allowed, "{host}: {}", response.status());
        let url = world.gateway.ws_url("/ws");
        assert_eq!(connect(&url, Some(&token), &[("host", &host)]).await.is_ok(), allowed, "/ws {host}");
    }
}
