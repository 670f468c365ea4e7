//! The demo as people restart it: the same data directory gives a password that signs in and the same tokens,
//! and its log has no line per refused request.

use std::process::{Command, Stdio};
use std::time::Duration;

use metaapi_demo::{Demo, DemoConfig};
use metaapi_protocol::console::TokenStatus;
use serde_json::{Value, json};

async fn start(data_dir: &std::path::Path) -> Demo {
    let mut config = DemoConfig::new("127.0.0.1:0".parse().unwrap());
    config.data_dir = Some(data_dir.to_path_buf());
    tokio::time::timeout(Duration::from_secs(60), Demo::start(config))
        .await
        .expect("the demo starts within 60 s")
        .expect("the demo starts")
}

/// Signs in on the demo's console over HTTP, as the web page does; the status.
async fn sign_in(demo: &Demo, password: &str) -> u16 {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = http
        .post(format!("{}/api/v1/session", demo.console_url))
        .json(&json!({ "email": demo.email, "password": password }))
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

fn active_tokens(demo: &Demo) -> usize {
    let listed = demo.console.list_tokens(&demo.user).unwrap();
    listed.tokens.iter().filter(|token| token.status == TokenStatus::Active).count()
}

#[tokio::test]
async fn a_restarted_demo_signs_in_and_reuses_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path()).await;
    let (password, token, api_key) = (first.password.clone(), first.terminals[0].token.clone(), first.api_key.clone());
    assert_eq!(sign_in(&first, &password).await, 204);
    assert_eq!(active_tokens(&first), 1);
    first.stop().await;

    let second = start(dir.path()).await;
    assert_eq!(second.password, password, "the printed password changed");
    assert_eq!(sign_in(&second, &second.password).await, 204, "the printed password does not sign in");
    assert_eq!(sign_in(&second, "not the password").await, 401);
    assert_eq!(second.terminals[0].token, token, "a new token was minted");
    assert_eq!(second.api_key, api_key, "a new API key was issued");
    assert_eq!(active_tokens(&second), 1, "live tokens piled up");

    // A token deleted in the console meanwhile is replaced, once: the third start mints one, the fourth reuses it.
    second.console.delete_token(&second.user, &second.terminals[0].token_id).unwrap();
    second.stop().await;
    let third = start(dir.path()).await;
    assert_ne!(third.terminals[0].token, token);
    assert_eq!(active_tokens(&third), 1);
    let replacement = third.terminals[0].token.clone();
    third.stop().await;
    let fourth = start(dir.path()).await;
    assert_eq!(fourth.terminals[0].token, replacement);
    assert_eq!(active_tokens(&fourth), 1);
    fourth.stop().await;
}

#[tokio::test]
async fn a_demo_console_without_its_saved_password_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    start(dir.path()).await.stop().await;
    std::fs::remove_file(dir.path().join("demo-secrets.json")).unwrap();
    let mut config = DemoConfig::new("127.0.0.1:0".parse().unwrap());
    config.data_dir = Some(dir.path().to_path_buf());
    let error = Demo::start(config).await.expect_err("a demo that cannot print a working password");
    assert!(error.to_string().contains("fresh --data-dir"), "{error}");
}

#[tokio::test]
async fn a_lost_api_key_is_replaced_once_and_a_damaged_secrets_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path()).await;
    let password = first.password.clone();
    first.stop().await;
    let path = dir.path().join("demo-secrets.json");
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    saved["api_key"] = json!("mak_not_a_key");
    std::fs::write(&path, saved.to_string()).unwrap();

    let second = start(dir.path()).await;
    assert_ne!(second.api_key, "mak_not_a_key");
    assert!(second.console.authenticate_api_key(&second.api_key).is_ok());
    assert_eq!(second.password, password);
    let api_key = second.api_key.clone();
    second.stop().await;
    let third = start(dir.path()).await;
    assert_eq!(third.api_key, api_key, "the replacement key was not kept");
    third.stop().await;

    std::fs::write(&path, "{not json").unwrap();
    let mut config = DemoConfig::new("127.0.0.1:0".parse().unwrap());
    config.data_dir = Some(dir.path().to_path_buf());
    let error = Demo::start(config).await.expect_err("a damaged secrets file");
    assert!(error.to_string().contains("demo-secrets.json is not readable"), "{error}");
}

#[tokio::test]
async fn the_demo_logs_no_line_per_refused_request() {
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("ready.json");
    let log_path = dir.path().join("demo.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_metaapi-gateway"))
        .args(["demo", "--listen", "127.0.0.1:0", "--console-listen", "127.0.0.1:0", "--virtual-clock"])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--ready-file")
        .arg(&ready)
        .env_remove("RUST_LOG")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start the demo");
    for _ in 0..1200 {
        if ready.exists() || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&ready).expect("a ready file")).unwrap();
    let before = std::fs::read_to_string(&log_path).unwrap().lines().count();

    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/rpc", info["url"].as_str().unwrap());
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" }).to_string();
    for attempt in 0..10 {
        let response = http.post(&url).bearer_auth(format!("mat_wrong{attempt}")).body(body.clone()).send().await;
        assert_eq!(response.unwrap().status(), 401);
        let response = http.post(&url).body(body.clone()).send().await.unwrap();
        assert_eq!(response.status(), 401);
    }
    // The refusals above were answered, so anything they logged is already written.
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log_path).unwrap();
    let added: Vec<&str> = text.lines().skip(before).collect();
    assert!(added.len() < 5, "the demo logged {} lines for 20 refused requests:\n{}", added.len(), added.join("\n"));
    assert!(!text.contains("unable to serve request"), "{text}");
}

/// Where a realtime demo's clock starts, at the edges of the broker's trading week (December: the broker's clock is
/// UTC+2, so its week runs from Sunday 22:00 to Friday 22:00 UTC).
#[test]
fn a_realtime_demo_starts_where_it_can_trade_at_once() {
    use metaapi_terminal_sim::Mode;
    use metaapi_terminal_sim::time::utc_ms;
    let at = |day, hour, minute| utc_ms(2026, 12, day, hour, minute, 0);
    // Wednesday 2 December, midday: now will do.
    assert_eq!(metaapi_demo::trading_start(Mode::Mt5Hedging, at(2, 12, 0)), None);
    // Sunday 6 December 22:30 UTC is Monday 00:30 for the broker: open, now will do (the old rule went back to a
    // closed Friday night).
    assert_eq!(metaapi_demo::trading_start(Mode::Mt5Hedging, at(6, 22, 30)), None);
    // Sunday 21:30 UTC: closed until 22:00, so the same time on Thursday (Friday 21:30 closes within the hour).
    assert_eq!(metaapi_demo::trading_start(Mode::Mt5Hedging, at(6, 21, 30)), Some(at(3, 21, 30)));
    // Friday 4 December 21:30 UTC: open, but closing in half an hour; Thursday then.
    assert_eq!(metaapi_demo::trading_start(Mode::Mt4, at(4, 21, 30)), Some(at(3, 21, 30)));
    // Saturday noon: Friday noon trades for the next hour.
    assert_eq!(metaapi_demo::trading_start(Mode::Mt5Netting, at(5, 12, 0)), Some(at(4, 12, 0)));
}
