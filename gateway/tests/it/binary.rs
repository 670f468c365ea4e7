//! The `metaapi-gateway` binary's defaults, run as users run it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use metaapi_test_support::{TestConsole, free_port};

/// Starts the binary on `port` with `extra` flags, its output piped.
fn start_gateway(console: &TestConsole, data_dir: &std::path::Path, port: u16, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_metaapi-gateway"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--console-url", &console.url])
        .arg("--data-dir")
        .arg(data_dir)
        .args(extra)
        .env_remove("RUST_LOG")
        .env_remove("GATEWAY_WORKERS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start metaapi-gateway")
}

/// The gateway's `/metrics` text once it answers (within 10 s).
async fn metrics_once_up(http: &reqwest::Client, port: u16) -> String {
    for _ in 0..200 {
        if let Ok(response) = http.get(format!("http://127.0.0.1:{port}/metrics")).send().await {
            assert_eq!(response.status(), 200);
            return response.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the gateway did not come up");
}

fn workers_of(metrics: &str) -> &str {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("metaapi_gateway_runtime_workers "))
        .unwrap_or_else(|| panic!("no worker gauge in /metrics:\n{metrics}"))
}

#[tokio::test]
async fn the_runtime_has_the_workers_asked_for() {
    let console = TestConsole::start().await.with_admin().await;
    let data_dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for (flags, expected) in [(&[][..], "1"), (&["--workers", "3"][..], "3")] {
        let port = free_port();
        let mut gateway = start_gateway(&console, data_dir.path(), port, flags);
        let metrics = metrics_once_up(&http, port).await;
        gateway.kill().unwrap();
        gateway.wait().unwrap();
        assert_eq!(workers_of(&metrics), expected, "with {flags:?}");
    }
    // Zero workers cannot serve anything: refused at startup, naming the flag.
    let refused =
        start_gateway(&console, data_dir.path(), free_port(), &["--workers", "0"]).wait_with_output().unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--workers") && stderr.contains("1..=256"), "{stderr}");
}

#[tokio::test]
async fn the_default_log_has_no_line_per_request() {
    let console = TestConsole::start().await.with_admin().await;
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut gateway = start_gateway(&console, data_dir.path(), port, &[]);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let health = format!("http://127.0.0.1:{port}/healthz");
    let mut served = 0;
    for _ in 0..200 {
        if let Ok(response) = http.get(&health).send().await {
            assert_eq!(response.status(), 200);
            served += 1;
            if served == 20 {
                break;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(served, 20, "the gateway did not come up");
    // Refusals too: a guessed token is answered, not logged line by line.
    for attempt in 0..10 {
        let response = http
            .post(format!("http://127.0.0.1:{port}/rpc"))
            .bearer_auth(format!("mat_guess{attempt}"))
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
    }
    gateway.kill().unwrap();
    let output = gateway.wait_with_output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(log.contains("gateway listening"), "the default log lost its startup line:\n{log}");
    assert!(!log.contains("finished processing"), "a line per request:\n{log}");
    assert!(log.lines().count() < 15, "{} lines for 30 requests:\n{log}", log.lines().count());
}
