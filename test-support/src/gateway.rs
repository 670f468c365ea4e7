//! A real gateway on a loopback port, with test defaults, and raw HTTP and WebSocket access to it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use metaapi_gateway_core::GatewayConfig;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::console::TestConsole;
use crate::ws::{Socket, connect};

/// A gateway serving on loopback.
pub struct TestGateway {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its device id and trade outcomes.
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
            metaapi_gateway_core::serve(listener, config, async move {
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

/// The value of an unlabelled counter or gauge in a `/metrics` text.
pub fn metric(text: &str, name: &str) -> u64 {
    let prefix = format!("metaapi_gateway_{name} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
}

/// The gateway's `/metrics` text.
pub async fn metrics_of(url: &str) -> String {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap()
}
