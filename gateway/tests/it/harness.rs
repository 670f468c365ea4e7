//! A real console and a real gateway on 127.0.0.1 port 0, and clients for their HTTP and WebSocket APIs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use metaapi_console::{Console, ConsoleConfig};
use metaapi_gateway::GatewayConfig;
use metaapi_protocol::console::{CreateTokenRequest, CreatedToken, DeviceList, UpdateAccountRequest};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket client connection.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A console serving on loopback, with one user and an API key for managing it over HTTP.
pub struct TestConsole {
    pub console: Console,
    pub url: String,
    /// The first user, managing over HTTP with its API key.
    pub admin: Manager,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// One console user's management client (HTTP with an API key).
pub struct Manager {
    url: String,
    api_key: String,
    http: reqwest::Client,
}

impl std::ops::Deref for TestConsole {
    type Target = Manager;
    fn deref(&self) -> &Manager {
        &self.admin
    }
}

impl TestConsole {
    /// Starts a console; the user auto-approves devices unless `approve` is false.
    pub async fn start(approve: bool) -> TestConsole {
        TestConsole::start_with(approve, Duration::from_secs(30)).await
    }

    /// Starts a console with a chosen verdict TTL.
    pub async fn start_with(approve: bool, verdict_ttl: Duration) -> TestConsole {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ConsoleConfig::new(dir.path());
        config.verdict_ttl = verdict_ttl;
        let console = Console::open(config).unwrap();
        let user = console.create_user("trader@example.com", "correct horse battery staple").unwrap();
        let api_key = console.create_api_key(&user).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = console.clone();
        let task = tokio::spawn(async move {
            server
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        let admin = Manager { url: url.clone(), api_key, http: reqwest::Client::builder().no_proxy().build().unwrap() };
        if approve {
            admin.update_account(json!({ "auto_approve_devices": true })).await;
        }
        TestConsole { console, url, admin, stop: Some(stop), task: Some(task), _dir: dir }
    }

    /// Another console user; devices are auto-approved unless `approve` is false.
    pub async fn user(&self, email: &str, approve: bool) -> Manager {
        let user = self.console.create_user(email, "correct horse battery staple").unwrap();
        let api_key = self.console.create_api_key(&user).unwrap();
        let manager =
            Manager { url: self.url.clone(), api_key, http: reqwest::Client::builder().no_proxy().build().unwrap() };
        if approve {
            manager.update_account(json!({ "auto_approve_devices": true })).await;
        }
        manager
    }

    /// Stops the console (the gateway then sees it as unreachable).
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Manager {
    async fn send(&self, request: reqwest::RequestBuilder) -> Value {
        let response = request.bearer_auth(&self.api_key).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "console answered {status}: {text}");
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() }
    }

    /// Creates a token.
    pub async fn create_token(&self, name: &str, expires_at: Option<i64>) -> CreatedToken {
        let body = CreateTokenRequest { name: name.into(), expires_at };
        let value = self.send(self.http.post(format!("{}/api/v1/tokens", self.url)).json(&body)).await;
        serde_json::from_value(value).unwrap()
    }

    /// Deletes (revokes) a token.
    pub async fn delete_token(&self, id: &str) {
        self.send(self.http.delete(format!("{}/api/v1/tokens/{id}", self.url))).await;
    }

    /// Replaces a token.
    pub async fn replace_token(&self, id: &str) -> CreatedToken {
        let value = self.send(self.http.post(format!("{}/api/v1/tokens/{id}/replace", self.url))).await;
        serde_json::from_value(value).unwrap()
    }

    /// Changes the account.
    pub async fn update_account(&self, body: Value) {
        let _: UpdateAccountRequest = serde_json::from_value(body.clone()).unwrap();
        self.send(self.http.patch(format!("{}/api/v1/account", self.url)).json(&body)).await;
    }

    /// Lists devices.
    pub async fn devices(&self) -> DeviceList {
        serde_json::from_value(self.send(self.http.get(format!("{}/api/v1/devices", self.url))).await).unwrap()
    }

    /// Approves or revokes a device.
    pub async fn device(&self, id: &str, action: &str) {
        self.send(self.http.post(format!("{}/api/v1/devices/{id}/{action}", self.url))).await;
    }
}

impl Drop for TestConsole {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A gateway serving on loopback.
pub struct TestGateway {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    http: reqwest::Client,
}

/// Test defaults: short deadlines so deadline tests finish quickly, a generous failed-auth limit.
pub fn config(console: &TestConsole, data_dir: &std::path::Path) -> GatewayConfig {
    let mut config = GatewayConfig::new(console.url.clone(), data_dir);
    config.pickup_timeout = Duration::from_millis(800);
    config.pickup_slack = Duration::from_millis(200);
    config.reply_timeout = Duration::from_secs(3);
    config.auth_fail_limit = 1000;
    config
}

impl TestGateway {
    /// Starts a gateway with `config`.
    pub async fn start(config: GatewayConfig) -> TestGateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let data_dir = config.data_dir.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            metaapi_gateway::serve(listener, config, async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestGateway {
            addr,
            data_dir,
            stop: Some(stop),
            task: Some(task),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    /// This gateway's device id.
    pub fn device_id(&self) -> String {
        // The file is written before the listener accepts anything; poll briefly in case the task has not run yet.
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(self.data_dir.join("device-id")) {
                return text.trim().to_owned();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no device id");
    }

    /// The base HTTP URL.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The WebSocket URL of `path`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// `POST /rpc` with a raw body; returns the status and the parsed body (`Null` when empty).
    pub async fn post(&self, token: Option<&str>, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let mut request = self.http.post(self.url("/rpc")).header("content-type", "application/json").body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }

    /// One JSON-RPC call over `/rpc`.
    pub async fn call(&self, token: &str, method: &str, params: Value) -> (u16, Value) {
        self.post(Some(token), json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string())
            .await
    }

    /// Opens a WebSocket at `path`; `Err` carries the HTTP status and body of a refused upgrade.
    pub async fn connect(&self, path: &str, token: Option<&str>) -> Result<Socket, (u16, Value)> {
        connect(&self.ws_url(path), token, &[]).await
    }

    /// Stops the gateway and waits for it to finish.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task).await.unwrap().unwrap();
        }
    }
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

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

/// Polls `check` every 20 ms until it holds, failing after `within`.
pub async fn eventually<F, Fut>(within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "condition not met in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A console and a gateway that trusts it.
pub struct World {
    pub console: TestConsole,
    pub gateway: TestGateway,
    pub dir: tempfile::TempDir,
}

/// A console (devices auto-approved) and a gateway with test defaults adjusted by `adjust`.
pub async fn world_with(adjust: impl FnOnce(&mut GatewayConfig)) -> World {
    let console = TestConsole::start(true).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&console, dir.path());
    adjust(&mut config);
    let gateway = TestGateway::start(config).await;
    World { console, gateway, dir }
}

/// A console and a gateway with test defaults.
pub async fn world() -> World {
    world_with(|_| {}).await
}

impl World {
    /// A new token and a test terminal linked with it.
    pub async fn terminal(&self, name: &str, login: u64) -> (String, crate::terminal::TestTerminal) {
        let token = self.console.create_token(name, None).await.token;
        let terminal =
            crate::terminal::TestTerminal::link(&self.gateway.ws_url("/terminal"), &token, login, all_capabilities())
                .await
                .unwrap();
        (token, terminal)
    }
}

/// Every capability but close-by, so tests can see an `unsupported` refusal.
pub fn all_capabilities() -> Vec<metaapi_protocol::types::Capability> {
    use metaapi_protocol::types::Capability::*;
    vec![TicksHistory, MarketDepth, StopLimit, OrderCheck, Hedging, DayOrders, TradeTransactions]
}
