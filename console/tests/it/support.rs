//! Test harness: a real console on 127.0.0.1:0 with a temporary database, an HTTP client, and captured logs.
//!
//! With `METAAPI_CONSOLE_TEST_PG_URL` set (by console/tests/with-postgres.sh, which starts a real PostgreSQL)
//! every data directory is paired with a fresh PostgreSQL database, so the whole suite runs on that backend.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use metaapi_console::{Console, ConsoleConfig, UserId};
use metaapi_protocol::console::{CreatedToken, RevocationEvent, Verdict, VerifyRequest};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Every log line written by any test in this binary, at TRACE level.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

struct BufferWriter(Arc<Mutex<Vec<u8>>>);

impl Write for BufferWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber once for the whole test binary.
pub fn init_logs() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let buffer = log_buffer().clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || BufferWriter(buffer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
}

/// The admin URL of the PostgreSQL server the suite runs against, if any.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("METAAPI_CONSOLE_TEST_PG_URL").ok().filter(|u| !u.is_empty())
}

/// File in a data directory naming the PostgreSQL database paired with it, so a restart finds the same data.
const PG_DATABASE_FILE: &str = "test-postgres-database";

/// The database URL for `data_dir` on the test's backend: `None` on SQLite (the data directory is the database);
/// on PostgreSQL a database created for this directory on first use.
pub fn database_url(data_dir: &std::path::Path) -> Option<String> {
    let admin = pg_admin_url()?;
    let marker = data_dir.join(PG_DATABASE_FILE);
    let name = match std::fs::read_to_string(&marker) {
        Ok(name) => name,
        Err(_) => {
            let name = format!("console_test_{}", uuid::Uuid::new_v4().simple());
            create_database(&admin, &name);
            std::fs::write(&marker, &name).unwrap();
            name
        }
    };
    let (base, _) = admin.rsplit_once('/').expect("the admin URL names a database");
    Some(format!("{base}/{name}"))
}

/// `--database-url` arguments for a child console on the test's backend.
pub fn database_args(data_dir: &std::path::Path) -> Vec<String> {
    database_url(data_dir).map(|url| vec!["--database-url".to_owned(), url]).unwrap_or_default()
}

fn create_database(admin: &str, name: &str) {
    let (admin, name) = (admin.to_owned(), name.to_owned());
    // A thread of its own, so this works from sync and async callers alike.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        });
    })
    .join()
    .unwrap();
}

/// A console served on a loopback port for one test.
pub struct TestConsole {
    pub console: Console,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestConsole {
    pub async fn start() -> TestConsole {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut ConsoleConfig)) -> TestConsole {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, tweak).await
    }

    /// Serves a console on an existing data directory (for restarts).
    pub async fn start_in(dir: tempfile::TempDir, tweak: impl FnOnce(&mut ConsoleConfig)) -> TestConsole {
        init_logs();
        let mut config = ConsoleConfig::new(dir.path());
        config.database_url = database_url(dir.path()).map(metaapi_console::store::DatabaseUrl);
        tweak(&mut config);
        let console = Console::open(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = console.clone();
        let server = tokio::spawn(async move {
            served
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        TestConsole { console, addr, dir, http: reqwest::Client::new(), stop: Some(stop), server: Some(server) }
    }

    /// Another replica on the same PostgreSQL database (only under with-postgres.sh).
    pub async fn replica(&self) -> TestConsole {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(self.dir.path().join(PG_DATABASE_FILE), dir.path().join(PG_DATABASE_FILE))
            .expect("replicas need the PostgreSQL backend");
        TestConsole::start_in(dir, |_| {}).await
    }

    /// Stops the server and hands back the data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A fresh user with an API key.
    pub fn user(&self) -> (UserId, String) {
        let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
        let user = self.console.create_user(&email, "correct horse battery").unwrap();
        let key = self.console.create_api_key(&user).unwrap();
        (user, key)
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
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

    pub async fn create_token(&self, key: &str, name: &str, expires_at: Option<i64>) -> CreatedToken {
        let mut body = json!({ "name": name });
        if let Some(e) = expires_at {
            body["expires_at"] = json!(e);
        }
        let (status, value) = self.send(reqwest::Method::POST, "/api/v1/tokens", key, Some(body)).await;
        assert_eq!(status, 201, "{value}");
        serde_json::from_value(value).unwrap()
    }

    pub async fn verify(&self, token: &str, device_id: &str) -> Verdict {
        let request =
            VerifyRequest { token: token.into(), device_id: device_id.into(), device_name: "test-host".into() };
        let response = self.http.post(self.url("/api/v1/verify")).json(&request).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json().await.unwrap()
    }

    pub async fn patch_account(&self, key: &str, body: Value) -> Value {
        let (status, value) = self.send(reqwest::Method::PATCH, "/api/v1/account", key, Some(body)).await;
        assert_eq!(status, 200, "{value}");
        value
    }

    /// A push listener that has already received its initial resync.
    pub async fn listen(&self) -> Listener {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/events", self.addr)).await.unwrap();
        let first = next_event(&mut ws).await;
        assert_eq!(first, RevocationEvent::Resync, "the first frame is a resync");
        Listener { ws }
    }
}

impl Drop for TestConsole {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn now_ms() -> i64 {
    metaapi_console::secret::now_ms()
}

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
}

impl Listener {
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

pub fn assert_allowed(verdict: &Verdict) {
    assert!(matches!(verdict, Verdict::Allowed { .. }), "expected allowed, got {verdict:?}");
}
