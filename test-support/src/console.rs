//! A real console on a loopback port, on the tests' database backend ([`crate::backend`]), that can be stopped and
//! started again on the same data; and a console user's management client over HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use metaapi_console::store::DatabaseUrl;
use metaapi_console::{Console, ConsoleConfig, UserId};
use metaapi_protocol::console::{CreateTokenRequest, CreatedToken, DeviceList, UpdateAccountRequest};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::backend::{PG_DATABASE_FILE, database_url};

/// The password every user the harness creates signs in with.
const PASSWORD: &str = "correct horse battery staple";

/// The email of the user [`TestConsole::with_admin`] adds.
const ADMIN_EMAIL: &str = "trader@example.com";

/// A console serving on `127.0.0.1:0` for one test.
///
/// Dropping it stops the server (its stop signal's sender goes with it); [`TestConsole::stop`] also waits for the
/// server to finish and hands back the data directory, so a test can start it again on the same data.
///
/// Started [`TestConsole::with_admin`], it dereferences to that user's [`Manager`], so `console.create_token(..)`
/// manages as the admin.
pub struct TestConsole {
    /// The console itself, for setting up users and tokens without HTTP.
    pub console: Console,
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://<addr>`, the base of every API path; [`TestConsole::url`] appends a path to it.
    pub url: String,
    /// Its data directory (on PostgreSQL, it names the database the console uses).
    pub dir: tempfile::TempDir,
    /// An HTTP client that bypasses any system proxy, since everything is on loopback.
    pub http: reqwest::Client,
    admin: Option<Manager>,
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
}

/// One console user's management client (HTTP with an API key).
pub struct Manager {
    url: String,
    api_key: String,
    http: reqwest::Client,
}

impl std::ops::Deref for TestConsole {
    type Target = Manager;

    /// The admin; only a console started [`TestConsole::with_admin`] has one.
    fn deref(&self) -> &Manager {
        self.admin.as_ref().expect("managing as the admin needs a console started with TestConsole::with_admin")
    }
}

impl TestConsole {
    /// Starts a console with the default configuration on a fresh data directory.
    pub async fn start() -> TestConsole {
        TestConsole::start_with(|_| {}).await
    }

    /// Starts a console on a fresh data directory, with its configuration adjusted by `tweak`.
    pub async fn start_with(tweak: impl FnOnce(&mut ConsoleConfig)) -> TestConsole {
        TestConsole::start_in(tempfile::tempdir().unwrap(), tweak).await
    }

    /// Starts a console on an existing data directory (a restart finds the data a stopped console left there).
    /// `tweak` sees the configuration with the tests' database already chosen.
    pub async fn start_in(dir: tempfile::TempDir, tweak: impl FnOnce(&mut ConsoleConfig)) -> TestConsole {
        let mut config = ConsoleConfig::new(dir.path());
        config.database_url = database_url(dir.path()).map(DatabaseUrl);
        tweak(&mut config);
        let console = Console::open(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = console.clone();
        let server = tokio::spawn(async move {
            served
                .serve(listener, async move {
                    // A dropped sender ends the wait too, so dropping the TestConsole stops the server.
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        TestConsole { console, addr, url: format!("http://{addr}"), dir, http, admin: None, stop, server }
    }

    /// Adds the admin user (`trader@example.com`, devices auto-approved) that the console dereferences to.
    pub async fn with_admin(mut self) -> TestConsole {
        self.admin = Some(self.manager(ADMIN_EMAIL, true).await);
        self
    }

    /// Another replica on the same PostgreSQL database, on a data directory of its own.
    ///
    /// Panics on SQLite, where a database cannot be shared.
    pub async fn replica(&self) -> TestConsole {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(self.dir.path().join(PG_DATABASE_FILE), dir.path().join(PG_DATABASE_FILE))
            .expect("replicas need the PostgreSQL backend");
        TestConsole::start_in(dir, |_| {}).await
    }

    /// Stops the server, waits until it has finished (push listeners closed, the database released) and hands back
    /// the data directory for [`TestConsole::start_in`]. A gateway then sees the console as unreachable.
    pub async fn stop(self) -> tempfile::TempDir {
        let TestConsole { stop, server, dir, .. } = self;
        let _ = stop.send(());
        tokio::time::timeout(Duration::from_secs(30), server)
            .await
            .expect("the console did not stop within the 30 s hang guard")
            .expect("the console's server failed");
        dir
    }

    /// `path` on this console, for example `url("/api/v1/tokens")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A fresh user (under a random email) and an API key for it.
    pub fn user(&self) -> (UserId, String) {
        let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
        let user = self.console.create_user(&email, PASSWORD).unwrap();
        let key = self.console.create_api_key(&user).unwrap();
        (user, key)
    }

    /// A new user under `email`, managing over HTTP; its devices are auto-approved unless `approve` is false.
    pub async fn manager(&self, email: &str, approve: bool) -> Manager {
        let user = self.console.create_user(email, PASSWORD).unwrap();
        let api_key = self.console.create_api_key(&user).unwrap();
        let manager = Manager { url: self.url.clone(), api_key, http: self.http.clone() };
        if approve {
            manager.update_account(json!({ "auto_approve_devices": true })).await;
        }
        manager
    }
}

impl Manager {
    /// Sends `request` with the API key and answers the JSON body, failing unless the status is a success.
    async fn call(&self, request: reqwest::RequestBuilder) -> Value {
        let response = request.bearer_auth(&self.api_key).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "console answered {status}: {text}");
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() }
    }

    /// Creates a token.
    pub async fn create_token(&self, name: &str, expires_at: Option<i64>) -> CreatedToken {
        let body = CreateTokenRequest { name: name.into(), expires_at };
        let value = self.call(self.http.post(format!("{}/api/v1/tokens", self.url)).json(&body)).await;
        serde_json::from_value(value).unwrap()
    }

    /// Deletes (revokes) a token.
    pub async fn delete_token(&self, id: &str) {
        self.call(self.http.delete(format!("{}/api/v1/tokens/{id}", self.url))).await;
    }

    /// Replaces a token.
    pub async fn replace_token(&self, id: &str) -> CreatedToken {
        let value = self.call(self.http.post(format!("{}/api/v1/tokens/{id}/replace", self.url))).await;
        serde_json::from_value(value).unwrap()
    }

    /// Changes the account.
    pub async fn update_account(&self, body: Value) {
        let _: UpdateAccountRequest = serde_json::from_value(body.clone()).unwrap();
        self.call(self.http.patch(format!("{}/api/v1/account", self.url)).json(&body)).await;
    }

    /// Lists devices.
    pub async fn devices(&self) -> DeviceList {
        serde_json::from_value(self.call(self.http.get(format!("{}/api/v1/devices", self.url))).await).unwrap()
    }

    /// Approves or revokes a device.
    pub async fn device(&self, id: &str, action: &str) {
        self.call(self.http.post(format!("{}/api/v1/devices/{id}/{action}", self.url))).await;
    }
}
