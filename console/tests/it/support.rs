//! What only the console suite needs on top of the shared harness (`metaapi_test_support::TestConsole`, which runs
//! each console on SQLite or, under tests/with-postgres.sh, PostgreSQL): consoles that capture their logs, the
//! status-checked API calls the suite makes with a user's API key, and the revocation push listener.

use std::time::Duration;

use futures_util::StreamExt;
use metaapi_console::ConsoleConfig;
use metaapi_protocol::console::{CreatedToken, RevocationEvent, Verdict, VerifyRequest};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use metaapi_protocol::time::now_ms;
pub use metaapi_test_support::{TestConsole, captured_logs, database_args, database_url, pg_admin_url};

/// A console with the default configuration. Every console of this suite logs into the capture buffer, so
/// `logs.rs` searches what all of them logged.
pub async fn console() -> TestConsole {
    console_with(|_| {}).await
}

/// A console with its configuration adjusted by `tweak`.
pub async fn console_with(tweak: impl FnOnce(&mut ConsoleConfig)) -> TestConsole {
    console_in(tempfile::tempdir().unwrap(), tweak).await
}

/// A console on an existing data directory (for restarts).
pub async fn console_in(dir: tempfile::TempDir, tweak: impl FnOnce(&mut ConsoleConfig)) -> TestConsole {
    metaapi_test_support::capture_logs();
    TestConsole::start_in(dir, tweak).await
}

/// The console API as this suite calls it: with an explicit user's API key, checking the status each call promises.
pub trait Calls {
    /// Sends a request with `key` and answers the status and the JSON body (null when empty).
    async fn send(&self, method: reqwest::Method, path: &str, key: &str, body: Option<Value>) -> (u16, Value);
    /// Creates a token as the user of `key`; the console must answer 201.
    async fn create_token(&self, key: &str, name: &str, expires_at: Option<i64>) -> CreatedToken;
    /// A gateway's verification of `token` from `device_id`.
    async fn verify(&self, token: &str, device_id: &str) -> Verdict;
    /// Changes the account of `key`'s user; the console must answer 200.
    async fn patch_account(&self, key: &str, body: Value) -> Value;
    /// A push listener that has already received its initial resync.
    async fn listen(&self) -> Listener;
}

impl Calls for TestConsole {
    async fn send(&self, method: reqwest::Method, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        (status, value)
    }

    async fn create_token(&self, key: &str, name: &str, expires_at: Option<i64>) -> CreatedToken {
        let mut body = json!({ "name": name });
        if let Some(e) = expires_at {
            body["expires_at"] = json!(e);
        }
        let (status, value) = self.send(reqwest::Method::POST, "/api/v1/tokens", key, Some(body)).await;
        assert_eq!(status, 201, "{value}");
        serde_json::from_value(value).unwrap()
    }

    async fn verify(&self, token: &str, device_id: &str) -> Verdict {
        let request =
            VerifyRequest { token: token.into(), device_id: device_id.into(), device_name: "test-host".into() };
        let response = self.http.post(self.url("/api/v1/verify")).json(&request).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json().await.unwrap()
    }

    async fn patch_account(&self, key: &str, body: Value) -> Value {
        let (status, value) = self.send(reqwest::Method::PATCH, "/api/v1/account", key, Some(body)).await;
        assert_eq!(status, 200, "{value}");
        value
    }

    async fn listen(&self) -> Listener {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/events", self.addr)).await.unwrap();
        let first = next_event(&mut ws).await;
        assert_eq!(first, RevocationEvent::Resync, "the first frame is a resync");
        Listener { ws }
    }
}

/// A gateway's view of the revocation push channel.
pub struct Listener {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Listener {
    /// The next event, or a failure if none arrives within one second.
    pub async fn next_within_a_second(&mut self) -> RevocationEvent {
        tokio::time::timeout(Duration::from_secs(1), next_event(&mut self.ws))
            .await
            .expect("no revocation event within one second")
    }

    /// The next event, with a hang guard far above the one second the console promises.
    pub async fn next_guarded(&mut self) -> RevocationEvent {
        tokio::time::timeout(Duration::from_secs(30), next_event(&mut self.ws))
            .await
            .expect("no revocation event within the 30 s hang guard")
    }

    /// Asserts the console closed the channel for shutdown (1001).
    pub async fn expect_closed(&mut self) {
        let closing = tokio::time::timeout(Duration::from_secs(30), self.ws.next()).await.expect("hang guard");
        match closing {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), 1001, "{frame:?}")
            }
            other => panic!("expected a 1001 close, got {other:?}"),
        }
    }
}

async fn next_event(ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>) -> RevocationEvent {
    loop {
        let message = ws.next().await.expect("push channel closed").expect("push channel failed");
        if let Ok(text) = message.to_text()
            && !text.is_empty()
        {
            return serde_json::from_str(text).unwrap();
        }
    }
}

/// Asserts a verdict is a denial for `reason`.
pub fn assert_denied(verdict: &Verdict, reason: metaapi_protocol::console::DenyReason) {
    match verdict {
        Verdict::Denied { reason: got, .. } => assert_eq!(*got, reason, "{verdict:?}"),
        other => panic!("expected denial {reason:?}, got {other:?}"),
    }
}

/// Asserts a verdict allows the call.
pub fn assert_allowed(verdict: &Verdict) {
    assert!(matches!(verdict, Verdict::Allowed { .. }), "expected allowed, got {verdict:?}");
}
