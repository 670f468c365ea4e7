//! Security limits: Host and Origin checks, body, batch and message sizes, brute force, and observability.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{Read, connect, kind, read, world, world_with};

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused() {
    let world = world_with(|config| config.allowed_origins = vec!["http://localhost:3000".into()]).await;
    let (token, _terminal) = world.terminal("Guard", 1).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" }).to_string();
    let post = |host: Option<&str>, origin: Option<&str>| {
        let mut request = http.post(world.gateway.url("/rpc")).bearer_auth(&token).body(body.clone());
        if let Some(host) = host {
            request = request.header("host", host);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    for host in ["evil.example", "evil.example:6000", "127.0.0.1.nip.io"] {
        let response = post(Some(host), None).await.unwrap();
        assert_eq!(response.status(), 403, "{host}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(kind(&body), "invalid_request");
    }
    assert_eq!(post(Some("localhost:6000"), None).await.unwrap().status(), 200);
    assert_eq!(post(None, Some("http://evil.example")).await.unwrap().status(), 403);
    assert_eq!(post(None, Some("http://localhost:3000")).await.unwrap().status(), 200);

    let url = world.gateway.ws_url("/ws");
    let Err((status, _)) = connect(&url, Some(&token), &[("origin", "http://evil.example")]).await else {
        panic!("foreign origin accepted")
    };
    assert_eq!(status, 403);
    let Err((status, _)) = connect(&url, Some(&token), &[("host", "evil.example")]).await else {
        panic!("foreign host accepted")
    };
    assert_eq!(status, 403);
    assert!(connect(&url, Some(&token), &[("origin", "http://localhost:3000")]).await.is_ok());
}

#[tokio::test]
async fn oversized_bodies_batches_and_messages_are_refused() {
    let world = world_with(|config| {
        config.max_body_bytes = 4096;
        config.max_batch = 5;
        config.max_ws_message_bytes = 4096;
    })
    .await;
    let (token, terminal) = world.terminal("Limits", 1).await;
    let padding = "x".repeat(8192);
    let big = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping", "params": { "pad": padding } }).to_string();
    let (status, body) = world.gateway.post(Some(&token), big.clone()).await;
    assert_eq!((status, kind(&body)), (413, "payload_too_large"));

    let batch: Vec<_> = (0..6).map(|id| json!({ "jsonrpc": "2.0", "id": id, "method": "get_account_info" })).collect();
    let (status, body) = world.gateway.post(Some(&token), json!(batch).to_string()).await;
    assert_eq!((status, kind(&body)), (413, "payload_too_large"));
    assert_eq!(terminal.count("get_account_info"), 0, "nothing of an oversized batch runs");
    let (status, body) = world.gateway.post(Some(&token), json!(batch[..5]).to_string()).await;
    assert_eq!((status, body.as_array().map(Vec::len)), (200, Some(5)));

    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    socket.send(Message::text(json!(batch).to_string())).await.unwrap();
    let Read::Json(refused) = read(&mut socket, Duration::from_secs(5)).await else { panic!() };
    assert_eq!(kind(&refused), "payload_too_large");
    let _ = socket.send(Message::text(big)).await;
    assert!(matches!(read(&mut socket, Duration::from_secs(5)).await, Read::Closed(_) | Read::Ended));
}

#[tokio::test]
async fn health_and_metrics_are_served() {
    let world = world().await;
    let (token, _terminal) = world.terminal("Observed", 1).await;
    world.gateway.call(&token, "get_account_info", json!({})).await;
    world.gateway.call("mat_wrong", "ping", json!({})).await;
    let _socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let health: serde_json::Value = http.get(world.gateway.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["terminals_online"], 1);
    let metrics = http.get(world.gateway.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for line in [
        "metaapi_gateway_requests_total{transport=\"rpc\"} 1",
        "metaapi_gateway_errors_total{kind=\"token_unknown\"} 1",
        "metaapi_gateway_terminals_online 1",
        "metaapi_gateway_ws_clients 1",
        "metaapi_gateway_request_duration_seconds_count 1",
    ] {
        assert!(metrics.contains(line), "missing {line} in\n{metrics}");
    }
}

#[tokio::test]
async fn websocket_handshakes_are_checked_and_pings_answered() {
    let world = world().await;
    let (token, _terminal) = world.terminal("Handshake", 1).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    // A plain GET (no upgrade) and a handshake of an unknown WebSocket version are not upgraded.
    let plain = http.get(world.gateway.url("/ws")).bearer_auth(&token).send().await.unwrap();
    assert!(plain.status().is_client_error(), "plain GET answered {}", plain.status());
    let old_version = http
        .get(world.gateway.url("/ws"))
        .bearer_auth(&token)
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "8")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert!(old_version.status().is_client_error(), "version 8 answered {}", old_version.status());
    // Without a token the handshake is refused before any upgrade.
    let Err((status, _)) = world.gateway.connect("/ws", None).await else { panic!("upgraded without a token") };
    assert_eq!(status, 401);

    let mut socket = world.gateway.connect("/ws", Some(&token)).await.unwrap();
    socket.send(Message::Ping(b"are you there".to_vec().into())).await.unwrap();
    let pong = loop {
        match tokio::time::timeout(Duration::from_secs(5), futures_util::StreamExt::next(&mut socket)).await {
            Ok(Some(Ok(Message::Pong(payload)))) => break payload,
            Ok(Some(Ok(_))) => {}
            other => panic!("no pong: {other:?}"),
        }
    };
    assert_eq!(&pong[..], b"are you there");
    // A call larger than the connection's small read buffer still arrives whole.
    let padding = "p".repeat(48 * 1024);
    let answer = crate::harness::ws_call(&mut socket, 7, "ping", json!({ "pad": padding })).await;
    assert!(answer.get("result").is_some() || answer.get("error").is_some(), "{answer}");
    assert_eq!(answer["id"], 7);
}

#[tokio::test]
async fn a_half_sent_request_head_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let world = world_with(|config| config.header_read_timeout = Duration::from_millis(300)).await;
    let (token, _terminal) = world.terminal("Slow", 1).await;
    // A slowloris client: a request line and one header, then nothing.
    let mut slow = tokio::net::TcpStream::connect(world.gateway.addr).await.unwrap();
    slow.write_all(b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the gateway kept a half-sent request open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "unexpected answer: {answer}");
    // A client that sends its head in time is served as usual.
    let (status, body) = world.gateway.call(&token, "ping", json!({})).await;
    assert_eq!(status, 200, "{body}");
}
