//! Durability: data survives a restart and a `kill -9` of the real binary between writes; the CLI works on both
//! the running server and the data directory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metaapi_protocol::console::{DenyReason, RevocationEvent, TokenList, Verdict};
use reqwest::Method;
use serde_json::json;

use crate::support::{Calls, assert_allowed, assert_denied, console, console_in};

const BIN: &str = env!("CARGO_BIN_EXE_metaapi-console");

#[tokio::test]
async fn data_survives_a_restart() {
    let t = console().await;
    let (_, key) = t.user();
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let kept = t.create_token(&key, "kept", None).await;
    let deleted = t.create_token(&key, "deleted", None).await;
    t.send(Method::DELETE, &format!("/api/v1/tokens/{}", deleted.summary.id), &key, None).await;
    assert_allowed(&t.verify(&kept.token, "box").await);
    let dir = t.stop().await;

    let t = console_in(dir, |_| {}).await;
    assert_allowed(&t.verify(&kept.token, "box").await);
    assert_denied(&t.verify(&deleted.token, "box").await, DenyReason::TokenRevoked);
    let (status, list) = t.send(Method::GET, "/api/v1/tokens", &key, None).await;
    assert_eq!(status, 200, "the API key survived too");
    assert_eq!(list["tokens"].as_array().unwrap().len(), 2);
    let (_, devices) = t.send(Method::GET, "/api/v1/devices", &key, None).await;
    assert_eq!(devices["devices"][0]["status"], "approved");
}

/// A console process with its stderr drained into a buffer.
struct Server {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

fn cli(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(crate::support::database_args(data_dir))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn spawn_server(data_dir: &Path) -> Server {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(crate::support::database_args(data_dir))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    let mut pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    Server { child, url, stderr }
}

async fn verify(http: &reqwest::Client, url: &str, token: &str) -> Verdict {
    let body = json!({"token": token, "device_id": "box", "device_name": "box"});
    http.post(format!("{url}/api/v1/verify")).json(&body).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, key, err) = cli(
        dir.path(),
        &["init", "--email", "k9@example.com", "--password", "correct horse battery", "--auto-approve"],
    );
    assert!(ok, "{err}");
    assert!(key.starts_with("mak_"));

    let mut server = spawn_server(dir.path());
    let http = reqwest::Client::new();
    let deleted: serde_json::Value = http
        .post(format!("{}/api/v1/tokens", server.url))
        .bearer_auth(&key)
        .json(&json!({"name": "to-delete"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deleted_id = deleted["summary"]["id"].as_str().unwrap().to_owned();
    let response =
        http.delete(format!("{}/api/v1/tokens/{deleted_id}", server.url)).bearer_auth(&key).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);

    // A writer keeps creating tokens; the process is killed while it is busy.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writer = {
        let (url, key, acknowledged, http) = (server.url.clone(), key.clone(), acknowledged.clone(), http.clone());
        tokio::spawn(async move {
            for i in 0.. {
                let Ok(response) = http
                    .post(format!("{url}/api/v1/tokens"))
                    .bearer_auth(&key)
                    .json(&json!({"name": format!("k9-{i}")}))
                    .send()
                    .await
                else {
                    break;
                };
                if response.status().as_u16() != 201 {
                    break;
                }
                let Ok(body) = response.json::<serde_json::Value>().await else { break };
                acknowledged.lock().unwrap().push(body["token"].as_str().unwrap().to_owned());
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    writer.await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let logs = server.stderr.lock().unwrap().clone();

    let mut server = spawn_server(dir.path());
    for token in &acknowledged {
        assert_allowed(&verify(&http, &server.url, token).await);
    }
    assert_denied(&verify(&http, &server.url, deleted["token"].as_str().unwrap()).await, DenyReason::TokenRevoked);
    let list: TokenList =
        http.get(format!("{}/api/v1/tokens", server.url)).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert!(list.tokens.len() > acknowledged.len(), "every acknowledged token and the deleted one are listed");
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // The process logged at TRACE, and still no secret appeared.
    let logs = logs + &server.stderr.lock().unwrap();
    assert!(logs.contains("auth token created"), "logs were captured");
    for token in acknowledged.iter().chain([&key, &deleted["token"].as_str().unwrap().to_owned()]) {
        assert!(!logs.contains(token.as_str()), "a secret reached the log");
    }
    assert!(!logs.contains("correct horse battery"));
}

#[tokio::test]
async fn cli_manages_a_running_console_and_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, key, _) = cli(dir.path(), &["init", "--email", "cli@example.com", "--password", "correct horse battery"]);
    assert!(ok);
    let (ok, _, err) = cli(dir.path(), &["init", "--email", "cli@example.com", "--password", "correct horse battery"]);
    assert!(!ok && err.contains("exists"), "{err}");

    // Offline: straight to the database.
    let (ok, token, err) = cli(
        dir.path(),
        &["token", "create", "--offline", "--email", "cli@example.com", "--name", "MT5-Live-A", "--expires-in", "1h"],
    );
    assert!(ok, "{err}");
    assert!(token.starts_with("mat_"));
    let (ok, listed, _) = cli(dir.path(), &["token", "list", "--offline", "--email", "cli@example.com"]);
    assert!(ok);
    let listed: TokenList = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.tokens[0].name, "MT5-Live-A");
    assert!(listed.tokens[0].expires_at.is_some());
    let (ok, _, err) = cli(dir.path(), &["token", "create", "--offline", "--email", "cli@example.com", "--name", ""]);
    assert!(!ok && err.contains("name must not be empty"), "{err}");
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "token",
            "create",
            "--offline",
            "--email",
            "cli@example.com",
            "--name",
            "x",
            "--expires-at",
            "2001-01-01T00:00:00Z",
        ],
    );
    assert!(!ok && err.contains("not in the future"), "{err}");
    let (ok, _, err) = cli(dir.path(), &["token", "list", "--offline"]);
    assert!(!ok && err.contains("--email"), "{err}");

    // Online: through the server, so revocations are pushed.
    let mut server = spawn_server(dir.path());
    let (port, url) = (server.url.rsplit(':').next().unwrap().to_owned(), server.url.clone());
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/api/v1/events")).await.unwrap();
    use futures_util::StreamExt;
    let resync = ws.next().await.unwrap().unwrap();
    assert_eq!(serde_json::from_str::<RevocationEvent>(resync.to_text().unwrap()).unwrap(), RevocationEvent::Resync);

    let online = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--url", url.as_str(), "--api-key", key.as_str()]);
        cli(dir.path(), &all)
    };
    let (ok, created, err) = online(&["token", "create", "--name", "MT4-Demo-2", "--json"]);
    assert!(ok, "{err}");
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    let id = created["summary"]["id"].as_str().unwrap().to_owned();
    let (ok, _, err) = online(&["token", "delete", &id]);
    assert!(ok, "{err}");
    let event = tokio::time::timeout(Duration::from_secs(1), ws.next())
        .await
        .expect("pushed within a second")
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<RevocationEvent>(event.to_text().unwrap()).unwrap(),
        RevocationEvent::Token { token_id: id, reason: DenyReason::TokenRevoked }
    );
    let (ok, _, err) = online(&["token", "delete", "tok_nope"]);
    assert!(!ok && err.contains("not_found"), "{err}");
    let (ok, status, err) = online(&["account", "set", "--auto-approve", "true"]);
    assert!(ok, "{err}");
    assert!(status.contains("\"auto_approve_devices\": true"));
    let (ok, _, err) = cli(dir.path(), &["token", "list", "--url", url.as_str(), "--api-key", token.as_str()]);
    assert!(!ok && err.contains("401"), "an auth token cannot manage: {err}");
    let (ok, _, err) = cli(dir.path(), &["token", "list", "--url", url.as_str()]);
    assert!(!ok && err.contains("--api-key"), "{err}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
