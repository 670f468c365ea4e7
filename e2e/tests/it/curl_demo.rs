//! The README's first minutes, for real: start the `metaapi-gateway demo` binary, send the token doc's exact request
//! with `curl`, then stop the demo with Ctrl-C (SIGINT) and expect a clean exit.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::schemas;

/// The token doc's example body, byte for byte in meaning.
const TOKEN_DOC_BODY: &str = r#"{"jsonrpc":"2.0","id":"account-1","method":"get_account_info","params":{}}"#;

/// `target/<profile>/metaapi-gateway`, next to this test binary's `deps` directory.
fn gateway_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("the test binary lives in target/<profile>/deps");
    let binary = profile_dir.join(format!("metaapi-gateway{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} is missing: build it first with `cargo build -p metaapi-gateway` (a workspace-wide `cargo test` builds it)",
        binary.display()
    );
    binary
}

/// Kills the demo if the test fails half way, so no process outlives the test.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `done` every 50 ms for at most `limit`.
fn wait_for<T>(limit: Duration, mut done: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(value) = done() {
            return Some(value);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn the_token_doc_curl_request_against_the_demo_binary() {
    let binary = gateway_binary();
    let directory = tempfile::tempdir().expect("a temporary directory");
    let ready = directory.path().join("ready.json");
    let log = std::fs::File::create(directory.path().join("demo.log")).expect("a log file");
    let child = Command::new(&binary)
        .args(["demo", "--listen", "127.0.0.1:0", "--console-listen", "127.0.0.1:0", "--virtual-clock"])
        .arg("--data-dir")
        .arg(directory.path().join("data"))
        .arg("--ready-file")
        .arg(&ready)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("a log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let mut running = Running(Some(child));
    let read_log = || std::fs::read_to_string(directory.path().join("demo.log")).unwrap_or_default();

    let facts: Value = wait_for(Duration::from_secs(60), || {
        if let Some(Ok(Some(status))) = running.0.as_mut().map(Child::try_wait) {
            panic!("the demo exited early with {status}:\n{}", read_log());
        }
        std::fs::read(&ready).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok())
    })
    .unwrap_or_else(|| panic!("the demo wrote no ready file within 60 s:\n{}", read_log()));
    for field in ["url", "token", "tokens", "console_url", "api_key", "email", "password", "mode"] {
        assert!(facts.get(field).is_some_and(|value| !value.is_null()), "ready file lacks {field}: {facts}");
    }
    assert_eq!(facts["mode"], "mt5-hedging");
    let url = facts["url"].as_str().expect("url is a string");
    let token = facts["token"].as_str().expect("token is a string");
    assert!(token.starts_with("mat_"), "the demo prints an auth token");

    let output = Command::new("curl")
        .args(["-sS", "--max-time", "30", "-X", "POST", &format!("{url}/rpc")])
        .args(["-H", &format!("Authorization: Bearer {token}"), "-H", "Content-Type: application/json"])
        .args(["-d", TOKEN_DOC_BODY])
        .output()
        .expect("curl must be installed for this test (apt-get install curl)");
    assert!(output.status.success(), "curl failed: {}", String::from_utf8_lossy(&output.stderr));
    let answer: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("curl got no JSON ({error}): {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(answer["jsonrpc"], "2.0");
    assert_eq!(answer["id"], "account-1", "{answer}");
    let account = &answer["result"];
    assert!(account["login"].is_u64(), "login: {answer}");
    assert!(account["balance"].is_number(), "balance: {answer}");
    assert!(account["currency"].as_str().is_some_and(|currency| currency.len() == 3), "currency: {answer}");
    schemas().validate("#/$defs/AccountInfo", account).unwrap_or_else(|error| panic!("{error}"));

    // Ctrl-C stops everything, and the process says so with exit status 0.
    let pid = running.0.as_ref().expect("still running").id();
    let signalled = Command::new("kill").args(["-INT", &pid.to_string()]).status().expect("kill runs");
    assert!(signalled.success(), "SIGINT could not be sent");
    let status =
        wait_for(Duration::from_secs(30), || running.0.as_mut().and_then(|child| child.try_wait().ok()).flatten())
            .unwrap_or_else(|| panic!("the demo did not exit within 30 s of SIGINT:\n{}", read_log()));
    running.0 = None;
    assert!(status.success(), "the demo exited with {status} after SIGINT:\n{}", read_log());
    assert!(read_log().contains("stopping"), "the demo says it stops:\n{}", read_log());
}
