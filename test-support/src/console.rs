//! A real console on a loopback port with a temporary database, and an account's management client over HTTP.

use std::time::Duration;

use metaapi_console::{Console, ConsoleConfig};
use metaapi_protocol::console::{CreateTokenRequest, CreatedToken, DeviceList, UpdateAccountRequest};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A console serving on loopback, with one user and an API key for managing it over HTTP.
pub struct TestConsole {
    /// The console itself, for setting up users and tokens without HTTP.
    pub console: Console,
    /// `http://127.0.0.1:<port>`.
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
