//! The `metaapi-gateway` binary's defaults, run as users run it.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::TestConsole;

#[tokio::test]
async fn the_default_log_has_no_line_per_request() {
    let console = TestConsole::start(true).await;
    let data_dir = tempfile::tempdir().unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut gateway = Command::new(env!("CARGO_BIN_EXE_metaapi-gateway"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--console-url", &console.url])
        .arg("--data-dir")
        .arg(data_dir.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start metaapi-gateway");
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
