//! What the workspace's test suites share: a real console (on SQLite or, under console/tests/with-postgres.sh,
//! PostgreSQL) and a real gateway on loopback port 0, opt-in log capture, a raw WebSocket JSON-RPC client, and
//! bounded polling. A dev-dependency only; nothing here ships.

#![forbid(unsafe_code)]

use std::time::Duration;

pub mod backend;
pub mod console;
pub mod gateway;
pub mod logs;
pub mod proxy;
pub mod ws;

pub use backend::{database_args, database_url, pg_admin_url};
pub use console::{Manager, TestConsole};
pub use gateway::{TestGateway, config, metric, metrics_of};
pub use logs::{capture_logs, captured_logs};
pub use proxy::HangingProxy;
pub use ws::{Read, Socket, connect, kind, read, response, ws_call};

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

/// A port that was free a moment ago, for a child process that must be told its port before it binds.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
