//! A raw WebSocket client for JSON-RPC over `/ws` (and `/terminal`): connecting with a token, reading frames,
//! calling.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket client connection.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket with an optional bearer token and extra headers.
pub async fn connect(url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Result<Socket, (u16, Value)> {
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    for (name, value) in headers {
        let name: tungstenite::http::HeaderName = name.parse().unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response.body().as_deref().map(|body| serde_json::from_slice(body).unwrap_or(Value::Null));
            Err((status, body.unwrap_or(Value::Null)))
        }
        Err(error) => panic!("websocket connect failed: {error}"),
    }
}

/// The `data.kind` of a JSON-RPC error body.
pub fn kind(body: &Value) -> &str {
    body["error"]["data"]["kind"].as_str().unwrap_or("<none>")
}

/// What the client read next from a WebSocket.
#[derive(Debug)]
pub enum Read {
    /// A JSON text frame.
    Json(Value),
    /// A close frame with its code.
    Closed(u16),
    /// The stream ended without a close frame.
    Ended,
}

/// Reads the next text or close frame, failing the test after `within`.
pub async fn read(socket: &mut Socket, within: Duration) -> Read {
    loop {
        let next = tokio::time::timeout(within, socket.next()).await.expect("nothing arrived in time");
        match next {
            Some(Ok(Message::Text(text))) => return Read::Json(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(frame))) => return Read::Closed(frame.map_or(1005, |frame| frame.code.into())),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Read::Ended,
        }
    }
}

/// Reads frames until a response with `id` arrives, skipping notifications.
pub async fn response(socket: &mut Socket, id: u64) -> Value {
    loop {
        match read(socket, Duration::from_secs(10)).await {
            Read::Json(value) if value["id"] == json!(id) => return value,
            Read::Json(_) => {}
            other => panic!("socket ended while waiting for response {id}: {other:?}"),
        }
    }
}

/// Sends one call over a WebSocket and waits for its response.
pub async fn ws_call(socket: &mut Socket, id: u64, method: &str, params: Value) -> Value {
    let text = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
    socket.send(Message::text(text)).await.unwrap();
    response(socket, id).await
}
