//! A real gateway against console replicas on one PostgreSQL: a revocation made through replica A closes a client's
//! WebSocket on a gateway that verifies against replica B, also when B restarts while the revocation is made.
//!
//! These need the real server that console/tests/with-postgres.sh starts (it runs this module after the console
//! suite); without it they say SKIPPED on stderr and return.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use metaapi_console::store::DatabaseUrl;
use metaapi_console::{Console, ConsoleConfig};
use metaapi_protocol::console::{CreateTokenRequest, CreatedToken};
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::harness::{Read, Socket, TestGateway, all_capabilities, eventually, kind, read, ws_call};
use crate::terminal::TestTerminal;

/// The issue's deadline for a revocation to reach a client attached through another replica.
const ISSUE_DEADLINE: Duration = Duration::from_secs(1);

/// How long a test waits for an event before it fails; generous, since the machine is shared.
const CAP: Duration = Duration::from_secs(15);

fn pg_url(test: &str) -> Option<String> {
    let url = std::env::var("METAAPI_CONSOLE_TEST_PG_URL").ok().filter(|url| !url.is_empty());
    if url.is_none() {
        eprintln!(
            "\n!!!! SKIPPED replicas::{test}: METAAPI_CONSOLE_TEST_PG_URL is not set \
             (run console/tests/with-postgres.sh) !!!!\n"
        );
    }
    url
}

/// One console replica serving on loopback.
struct Replica {
    console: Console,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Replica {
    /// Opens the shared database and serves it on `addr` (port 0 for a fresh port, or a stopped replica's address
    /// to come back where gateways look for it).
    async fn start(database_url: &str, addr: SocketAddr) -> Replica {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ConsoleConfig::new(dir.path());
        config.database_url = Some(DatabaseUrl(database_url.to_owned()));
        let console = Console::open(config).unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = console.clone();
        let task = tokio::spawn(async move {
            served
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Replica { console, addr, stop: Some(stop), task: Some(task), _dir: dir }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving (push listeners are closed) and answers the address it served on.
    async fn stop(mut self) -> SocketAddr {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(CAP, task).await.unwrap().unwrap();
        }
        self.addr
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A user of its own on the shared database (tests share it, so emails are unique) with devices auto-approved, and
/// its API key.
async fn user(replica: &Replica) -> String {
    let email = format!("replicas-{}@example.com", uuid::Uuid::new_v4().simple());
    let user = replica.console.create_user(&email, "correct horse battery staple").unwrap();
    let key = replica.console.create_api_key(&user).unwrap();
    let response = http()
        .patch(format!("{}/api/v1/account", replica.url()))
        .bearer_auth(&key)
        .json(&json!({ "auto_approve_devices": true }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "account update answered {}", response.status());
    key
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn create_token(replica: &Replica, key: &str, name: &str) -> CreatedToken {
    let body = CreateTokenRequest { name: name.into(), expires_at: None };
    let response =
        http().post(format!("{}/api/v1/tokens", replica.url())).bearer_auth(key).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn delete_token(replica: &Replica, key: &str, id: &str) {
    let response =
        http().delete(format!("{}/api/v1/tokens/{id}", replica.url())).bearer_auth(key).send().await.unwrap();
    assert!(response.status().is_success(), "delete answered {}", response.status());
}

/// A gateway verifying against `console_url`, a terminal linked with `token`, and a client's `/ws` that has made a
/// call (so the connection is authorized and live).
async fn attach(console_url: String, token: &str, dir: &std::path::Path) -> (TestGateway, TestTerminal, Socket) {
    let mut config = metaapi_gateway_core::GatewayConfig::new(console_url, dir);
    config.auth_fail_limit = 1000;
    let gateway = TestGateway::start(config).await;
    let terminal = TestTerminal::link(&gateway.ws_url("/terminal"), token, 7, all_capabilities()).await.unwrap();
    let mut socket = gateway.connect("/ws", Some(token)).await.unwrap();
    let account = ws_call(&mut socket, 1, "get_account_info", json!({})).await;
    assert_eq!(account["result"]["login"], 7, "the call reached the linked terminal: {account}");
    (gateway, terminal, socket)
}

/// What the client sees once its token is revoked, in order: the `token_revoked` notice, then the close with 4401.
async fn expect_revoked(socket: &mut Socket) {
    let Read::Json(notice) = read(socket, CAP).await else { panic!("the socket ended without the notice") };
    assert_eq!(notice["method"], "token_revoked", "the first frame after the revocation is its notice: {notice}");
    assert_eq!(notice["params"]["data"]["reason"], "token_revoked");
    match read(socket, CAP).await {
        Read::Closed(code) => assert_eq!(code, 4401),
        other => panic!("the notice is followed by the close, not {other:?}"),
    }
}

#[tokio::test]
async fn a_revocation_on_replica_a_closes_a_websocket_attached_through_replica_b() {
    let Some(database) = pg_url("a_revocation_on_replica_a_closes_a_websocket_attached_through_replica_b") else {
        return;
    };
    let any_port: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let a = Replica::start(&database, any_port).await;
    let b = Replica::start(&database, any_port).await;
    let key = user(&a).await;
    let created = create_token(&a, &key, "Replicas-Live").await;
    let dir = tempfile::tempdir().unwrap();
    let (gateway, terminal, mut socket) = attach(b.url(), &created.token, dir.path()).await;

    let revoked_at = Instant::now();
    delete_token(&a, &key, &created.summary.id).await;
    let Read::Json(notice) = read(&mut socket, CAP).await else { panic!("the socket ended without the notice") };
    let heard_after = revoked_at.elapsed();
    assert_eq!(notice["method"], "token_revoked", "the first frame after the revocation is its notice: {notice}");
    assert_eq!(notice["params"]["data"]["reason"], "token_revoked");
    assert!(matches!(read(&mut socket, CAP).await, Read::Closed(4401)));
    assert!(
        heard_after <= ISSUE_DEADLINE,
        "the revocation made on replica A reached the client through replica B after {heard_after:?}"
    );
    eventually(CAP, || async { !terminal.linked() }).await;
    let (status, body) = gateway.call(&created.token, "ping", json!({})).await;
    assert_eq!((status, kind(&body)), (401, "token_revoked"));
}

#[tokio::test]
async fn a_revocation_made_while_the_gateways_replica_restarts_still_closes_its_websocket() {
    let Some(database) = pg_url("a_revocation_made_while_the_gateways_replica_restarts_still_closes_its_websocket")
    else {
        return;
    };
    let any_port: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let a = Replica::start(&database, any_port).await;
    let b = Replica::start(&database, any_port).await;
    let key = user(&a).await;
    let revoked = create_token(&a, &key, "Replicas-Revoked").await;
    let kept = create_token(&a, &key, "Replicas-Kept").await;
    let dir = tempfile::tempdir().unwrap();
    let (gateway, _terminal, mut socket) = attach(b.url(), &revoked.token, dir.path()).await;
    let _kept_terminal =
        TestTerminal::link(&gateway.ws_url("/terminal"), &kept.token, 8, all_capabilities()).await.unwrap();
    let mut kept_socket = gateway.connect("/ws", Some(&kept.token)).await.unwrap();
    let pong = ws_call(&mut kept_socket, 1, "ping", json!({})).await;
    assert_eq!(pong["result"]["pong"], true, "{pong}");

    // B goes away: the gateway's push channel drops and keeps reconnecting. The revocation lands on A meanwhile,
    // where B cannot push it; the client's connection still works from the gateway's cached verdict.
    let b_addr = b.stop().await;
    delete_token(&a, &key, &revoked.summary.id).await;
    assert_eq!(ws_call(&mut socket, 2, "ping", json!({})).await["result"]["pong"], true);

    // B comes back where the gateway looks for it. The channel's reconnect makes the gateway recheck every token
    // it serves, so the revocation made while it was away closes the client's socket, and only that one.
    let b = Replica::start(&database, b_addr).await;
    expect_revoked(&mut socket).await;
    assert_eq!(ws_call(&mut kept_socket, 2, "ping", json!({})).await["result"]["pong"], true);

    // And the stream goes on through the restarted B.
    delete_token(&a, &key, &kept.summary.id).await;
    expect_revoked(&mut kept_socket).await;
    drop(b);
}
