//! The token doc's promises, end to end: create a token in the console, bring the terminal online, use it from a
//! client; revoke the device, approve it again, replace the token, disable the account, let an expiry pass. The
//! console is driven over its HTTP management API with an API key, as the console page drives it; the client is the
//! Rust SDK; each refusal is checked for its kind and HTTP status.

use metaapi_client::{Client, ClientError, RetryPolicy};
use metaapi_demo::Demo;
use metaapi_e2e::rpc;
use metaapi_protocol::ErrorKind;
use metaapi_protocol::console::{CreatedToken, Device, DeviceList, DeviceStatus};
use metaapi_terminal_sim::Mode;
use serde_json::{Value, json};

use crate::support::{eventually, schemas, start_demo};

/// The console's management API, authenticated with the demo's API key.
struct ConsoleApi {
    http: reqwest::Client,
    base: String,
    api_key: String,
}

impl ConsoleApi {
    fn new(demo: &Demo) -> ConsoleApi {
        let http = reqwest::Client::builder().no_proxy().build().expect("an HTTP client");
        ConsoleApi { http, base: demo.console_url.clone(), api_key: demo.api_key.clone() }
    }

    /// Sends a management call and returns the status and the JSON body (`Null` for an empty body).
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}/api/v1{path}", self.base)).bearer_auth(&self.api_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|error| panic!("console {path}: {error}"));
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("a console body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Checks a management answer's status and schema, and decodes it.
    async fn expect<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        status: u16,
        schema: &str,
    ) -> T {
        let (got, answer) = self.send(method, path, body).await;
        assert_eq!(got, status, "console {path}: {answer}");
        schemas().validate(&format!("#/$defs/{schema}"), &answer).unwrap_or_else(|error| panic!("{path}: {error}"));
        serde_json::from_value(answer).expect("the answer decodes")
    }

    async fn create_token(&self, name: &str, expires_at: Option<i64>) -> CreatedToken {
        let mut body = json!({"name": name});
        if let Some(expires_at) = expires_at {
            body["expires_at"] = json!(expires_at);
        }
        self.expect(reqwest::Method::POST, "/tokens", Some(body), 201, "CreatedToken").await
    }

    async fn patch_account(&self, body: Value) {
        let _: Value = self.expect(reqwest::Method::PATCH, "/account", Some(body), 200, "AccountStatus").await;
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis() as i64
}

/// A client that does not retry, so each refusal is seen once and counted once by the gateway's limiter.
fn client(demo: &Demo, token: &str) -> Client {
    Client::with_retry(demo.url.clone(), token, RetryPolicy { attempts: 1, backoff: std::time::Duration::ZERO })
}

/// Waits until the SDK's `get_account_info` works with `token`.
async fn works(demo: &Demo, token: &str, step: &str) {
    let client = client(demo, token);
    let account = eventually(step, || {
        let client = client.clone();
        async move { client.get_account_info().await.map_err(|error| error.to_string()) }
    })
    .await;
    assert!(!account.currency.is_empty(), "{step}: an account has a currency");
}

/// Waits until `token` is refused, then checks the refusal's kind and HTTP status on the wire and in the SDK.
async fn refused(demo: &Demo, token: &str, kind: ErrorKind, status: u16, step: &str) {
    let answer = eventually(step, || async {
        let answer = rpc(&demo.url, token, "get_account_info", json!({})).await?;
        if answer.body.get("result").is_some() { Err("still answered".to_owned()) } else { Ok(answer) }
    })
    .await;
    assert_eq!(answer.error_kind(), Some(kind.as_str()), "{step}: {}", answer.body);
    assert_eq!(answer.error_code(), Some(-32001), "{step}: {}", answer.body);
    assert_eq!(answer.status, status, "{step}: HTTP status");
    schemas().validate("#/$defs/Response", &answer.body).unwrap_or_else(|error| panic!("{step}: {error}"));
    match client(demo, token).get_account_info().await {
        Err(ClientError::Unauthorized { kind: seen }) => assert_eq!(seen, kind, "{step}: SDK kind"),
        other => panic!("{step}: the SDK should refuse with {kind:?}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_token_lifecycle_of_the_token_doc() {
    let demo = start_demo(Vec::new()).await;
    let console = ConsoleApi::new(&demo);

    // Create a token in the console and paste it into the EA: the terminal comes online, the client works.
    let created = console.create_token("MT5-Live-A", None).await;
    assert!(created.token.starts_with("mat_"), "auth tokens start with mat_");
    let mut sim = demo.start_sim(Mode::Mt5Hedging, 0, &created.token).expect("the terminal starts");
    works(&demo, &created.token, "the new token works once the terminal is online").await;

    // Revoke this machine: access stops.
    let devices: DeviceList = console.expect(reqwest::Method::GET, "/devices", None, 200, "DeviceList").await;
    assert_eq!(devices.devices.len(), 1, "the gateway registered one device: {devices:?}");
    let device_id = devices.devices[0].id.clone();
    assert_eq!(devices.devices[0].status, DeviceStatus::Approved, "the demo account auto-approves");
    let revoked: Device =
        console.expect(reqwest::Method::POST, &format!("/devices/{device_id}/revoke"), None, 200, "Device").await;
    assert_eq!(revoked.status, DeviceStatus::Revoked);
    refused(&demo, &created.token, ErrorKind::DeviceRevoked, 403, "after revoking the device").await;

    // Approve it again: access comes back (the EA relinks by itself).
    let approved: Device =
        console.expect(reqwest::Method::POST, &format!("/devices/{device_id}/approve"), None, 200, "Device").await;
    assert_eq!(approved.status, DeviceStatus::Approved);
    works(&demo, &created.token, "after approving the device again").await;

    // Replace the token: the old one stops; the EA restarted with the new one works.
    let replaced: CreatedToken = console
        .expect(reqwest::Method::POST, &format!("/tokens/{}/replace", created.summary.id), None, 201, "CreatedToken")
        .await;
    assert_ne!(replaced.token, created.token);
    assert_eq!(replaced.summary.terminal_id, created.summary.terminal_id, "a replacement stands for the same terminal");
    refused(&demo, &created.token, ErrorKind::TokenReplaced, 401, "the replaced token").await;
    sim.stop();
    sim = demo.start_sim(Mode::Mt5Hedging, 0, &replaced.token).expect("the terminal restarts with the new token");
    works(&demo, &replaced.token, "the replacement token").await;
    let old = rpc(&demo.url, &created.token, "get_account_info", json!({})).await.expect("answers");
    assert_eq!(old.error_kind(), Some("token_replaced"), "the old token stays refused: {}", old.body);

    // Disable the console account: access stops; enable it again: it comes back.
    console.patch_account(json!({"disabled": true})).await;
    refused(&demo, &replaced.token, ErrorKind::AccountDisabled, 403, "after disabling the account").await;
    console.patch_account(json!({"disabled": false})).await;
    works(&demo, &replaced.token, "after enabling the account again").await;
    sim.stop();

    // A token with an expiry works until the expiry passes, then stops.
    let expiring = console.create_token("MT4-Demo-2", Some(now_ms() + 4_000)).await;
    let sim = demo.start_sim(Mode::Mt4, 1, &expiring.token).expect("the terminal starts");
    works(&demo, &expiring.token, "the expiring token before its expiry").await;
    refused(&demo, &expiring.token, ErrorKind::TokenExpired, 401, "after the expiry").await;
    sim.stop();

    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn management_refuses_auth_tokens_and_missing_keys() {
    // An auth token is for /rpc and /ws only; the console never accepts it for management.
    let demo = start_demo(vec![Mode::Mt5Hedging]).await;
    let http = reqwest::Client::builder().no_proxy().build().expect("an HTTP client");
    let url = format!("{}/api/v1/tokens", demo.console_url);
    let with_auth_token = http.get(&url).bearer_auth(&demo.terminals[0].token).send().await.expect("answers");
    assert_eq!(with_auth_token.status().as_u16(), 401);
    let body: Value = with_auth_token.json().await.expect("a JSON error");
    schemas().validate("#/$defs/ConsoleError", &body).expect("a console error body");
    let without = http.get(&url).send().await.expect("answers");
    assert_eq!(without.status().as_u16(), 401);
    demo.stop().await;
}

/// A stale token in one local script must not lock every other client on the machine out of its own terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_of_one_token_do_not_lock_out_valid_tokens() {
    let demo = start_demo(vec![Mode::Mt5Hedging, Mode::Mt4]).await;
    let valid = &demo.terminals[1].token;
    let stale = &demo.terminals[0].token;
    demo.console.delete_token(&demo.user, &demo.terminals[0].token_id).expect("the token is deleted");
    // A script that keeps retrying with its deleted token.
    for _ in 0..25 {
        let _ = rpc(&demo.url, stale, "ping", json!({})).await;
    }
    let answer = rpc(&demo.url, valid, "get_account_info", json!({})).await.expect("answers");
    assert!(answer.body.get("result").is_some(), "a valid token is refused: HTTP {} {}", answer.status, answer.body);
    demo.stop().await;
}
