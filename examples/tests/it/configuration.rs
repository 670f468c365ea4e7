//! The examples' error paths: missing configuration is reported clearly instead of a confusing failure.

use std::process::Command;

#[test]
fn an_example_without_a_token_says_which_variable_to_set() {
    let output = Command::new(env!("CARGO_BIN_EXE_account_info"))
        .env_remove("METAAPI_TOKEN")
        .env("METAAPI_URL", "http://127.0.0.1:9")
        .output()
        .expect("the example runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("METAAPI_TOKEN"), "{stderr}");
}

#[test]
fn two_terminals_needs_two_tokens() {
    let output = Command::new(env!("CARGO_BIN_EXE_two_terminals"))
        .env("METAAPI_TOKENS", "mat_only_one")
        .env("METAAPI_URL", "http://127.0.0.1:9")
        .output()
        .expect("the example runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("two tokens"), "{stderr}");
}

#[test]
fn an_unreachable_gateway_fails_with_a_transport_error() {
    // Port 9 (discard) on loopback has no gateway: the example must fail, not hang or pretend.
    let output = Command::new(env!("CARGO_BIN_EXE_account_info"))
        .env("METAAPI_TOKEN", "mat_not_a_real_token")
        .env("METAAPI_URL", "http://127.0.0.1:9")
        .output()
        .expect("the example runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("transport"), "{stderr}");
}
