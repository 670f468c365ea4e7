//! Shared pieces of the end-to-end tests: starting the demo, bounded polling, and a raw `/ws` JSON-RPC peer.

use std::future::Future;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use metaapi_demo::{Demo, DemoConfig};
use metaapi_e2e::Schemas;
use metaapi_protocol::console::CreateTokenRequest;
use metaapi_terminal_sim::{Mode, SimConfig};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single awaited event may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// Starts the whole in-process stack with one simulated terminal per mode, on the virtual clock.
pub async fn start_demo(terminals: Vec<Mode>) -> Demo {
    let mut config = DemoConfig::new("127.0.0.1:0".parse().expect("an address"));
    config.terminals = terminals;
    config.realtime = false;
    tokio::time::timeout(Duration::from_secs(60), Demo::start(config))
        .await
        .expect("the demo did not start within 60 s")
        .expect("the demo starts")
}

/// A token of its own on `demo`, named `name`, and the config of a simulated terminal that links to the demo's
/// gateway with it: virtual clock, seed 1, the clock's default start (tests change what they need).
pub fn own_terminal_config(demo: &Demo, mode: Mode, name: &str) -> (SimConfig, String) {
    let request = CreateTokenRequest { name: name.to_owned(), expires_at: None };
    let created = demo.console.create_token(&demo.user, &request).expect("a token");
    let config = SimConfig {
        mode,
        seed: 1,
        realtime: false,
        gateway_url: format!("ws://{}/terminal", demo.url.strip_prefix("http://").expect("an http url")),
        token: created.token.clone(),
        start_time: None,
        scale: Default::default(),
    };
    (config, created.token)
}

/// Calls `attempt` every 100 ms until it returns `Some`, or fails the test after [`WAIT`] naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = String::from("never tried");
    while tokio::time::Instant::now() < deadline {
        match attempt().await {
            Ok(value) => return value,
            Err(why) => last = why,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {WAIT:?}; last: {last}");
}

/// The schema bundle, loaded once per test binary.
pub fn schemas() -> &'static Schemas {
    static SCHEMAS: std::sync::OnceLock<Schemas> = std::sync::OnceLock::new();
    SCHEMAS.get_or_init(Schemas::load)
}

/// A raw JSON-RPC peer on `/ws`: sends requests and collects the notifications that arrive meanwhile.
pub struct WsPeer {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Every notification seen so far, as `(method, params)`.
    pub notifications: Vec<(String, Value)>,
}

impl WsPeer {
    /// Opens `/ws` of the gateway at `url` (`http://...`) with `token`.
    pub async fn connect(url: &str, token: &str) -> WsPeer {
        let address = format!("ws://{}/ws", url.strip_prefix("http://").expect("an http:// url"));
        let mut request = address.into_client_request().expect("a valid ws request");
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("a header value"));
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
            .await
            .expect("the /ws upgrade did not finish in time")
            .expect("the /ws upgrade succeeds");
        WsPeer { socket, next_id: 1, notifications: Vec::new() }
    }

    /// Sends one request and returns its response object (with `result` or `error`).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.socket.send(Message::text(request.to_string())).await.expect("the request is sent");
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} on /ws within {WAIT:?}"))
                .unwrap_or_else(|| panic!("/ws closed while waiting for {method}"))
                .unwrap_or_else(|error| panic!("/ws failed while waiting for {method}: {error}"));
            let Message::Text(text) = frame else { continue };
            let value: Value = serde_json::from_str(&text).expect("/ws frames are JSON");
            if let Some(name) = value.get("method").and_then(Value::as_str) {
                self.notifications.push((name.to_owned(), value["params"].clone()));
                continue;
            }
            if value["id"] == json!(id) {
                return value;
            }
        }
    }

    /// Closes the socket politely.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
