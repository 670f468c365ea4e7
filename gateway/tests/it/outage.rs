//! The binary through a console outage: what it logs (once when the outage starts, once when it ends), and the
//! verification flags its `--help` lists and checks.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use metaapi_test_support::{HangingProxy, TestConsole, eventually, free_port, metric, metrics_of};

fn start_binary(console_url: &str, data_dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_metaapi-gateway"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--console-url", console_url])
        .args(["--console-timeout-ms", "200", "--grace-period-s", "120"])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_LOG")
        .env_remove("GATEWAY_WORKERS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start metaapi-gateway")
}

#[tokio::test]
async fn a_console_outage_is_logged_once_when_it_starts_and_once_when_it_ends() {
    let console = TestConsole::start_with(|c| c.verdict_ttl = Duration::from_millis(20)).await.with_admin().await;
    let proxy = HangingProxy::start(&console.url).await;
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start_binary(&proxy.url, data_dir.path(), port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    eventually(Duration::from_secs(10), || async { http.get(format!("{base}/healthz")).send().await.is_ok() }).await;
    let token = console.create_token("Logged", None).await.token;
    let call = |token: String| {
        let http = http.clone();
        let url = format!("{base}/rpc");
        async move {
            let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
            http.post(url).bearer_auth(token).body(body).send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(call(token.clone()).await, 200);

    for outage in 1..=2 {
        proxy.hang();
        tokio::time::sleep(Duration::from_millis(60)).await;
        for _ in 0..10 {
            assert_eq!(call(token.clone()).await, 200);
        }
        assert_eq!(call(format!("mat_unseen{outage}")).await, 503);
        assert_eq!(call(format!("mat_unseen{outage}")).await, 503);
        eventually(Duration::from_secs(10), || async { metric(&metrics_of(&base).await, "console_up") == 0 }).await;
        proxy.resume();
        // Calls keep going; one of them revalidates in the background and finds the console back.
        eventually(Duration::from_secs(10), || async {
            call(token.clone()).await;
            metric(&metrics_of(&base).await, "console_up") == 1
        })
        .await;
    }

    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let down = log.lines().filter(|line| line.contains("console unreachable")).count();
    let up = log.lines().filter(|line| line.contains("console reachable again")).count();
    assert_eq!((down, up), (2, 2), "two outages:\n{log}");
    assert!(!log.contains(&token), "the token was logged");
}

#[test]
fn the_timeout_delay_and_caps_are_flags_listed_in_help() {
    let output = Command::new(env!("CARGO_BIN_EXE_metaapi-gateway")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--console-timeout-ms",
        "--auth-fail-limit",
        "--auth-fail-delay-ms",
        "--max-subscriptions-per-connection",
        "--max-subscriptions-per-token",
    ] {
        assert!(help.contains(flag), "--help does not list {flag}:\n{help}");
    }
    // Port 0 and a scratch directory, so that even a regression that accepted the value could not take a real port.
    let data_dir = tempfile::tempdir().unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_metaapi-gateway"))
        .args(["--listen", "127.0.0.1:0", "--console-url", "http://127.0.0.1:9", "--console-timeout-ms", "0"])
        .arg("--data-dir")
        .arg(data_dir.path())
        .output()
        .unwrap();
    assert!(!refused.status.success(), "a zero verification timeout was accepted");
}
