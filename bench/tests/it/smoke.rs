//! Runs the smoke plan in-process (the memory scenario starts the built `metaapi-bench` as its child processes).

use std::path::PathBuf;

use metaapi_bench::report::expected_keys;
use metaapi_bench::{Plan, run};

#[test]
fn smoke_run_completes_and_produces_every_row() {
    let plan = Plan::smoke(PathBuf::from(env!("CARGO_BIN_EXE_metaapi-bench")));
    let report = run(&plan, &mut |step| eprintln!("- {step}")).expect("the smoke run completes");
    println!("{}", report.table());
    for key in expected_keys(&plan) {
        let row = report.row(&key).unwrap_or_else(|| panic!("row {key} is missing"));
        assert!(row.latency.is_some() || !row.note.is_empty(), "row {key} holds no measurement");
    }
    assert_eq!(report.verdicts.len(), 6, "every target gets a verdict");
    let markdown = report.markdown("test machine", "today", "cargo test");
    assert!(markdown.contains("## Targets") && markdown.contains("fan-out"));
}

#[test]
fn the_echo_baseline_answers_like_a_json_rpc_echo() {
    let (status, text) =
        metaapi_bench::baseline::echo(br#"{"jsonrpc":"2.0","id":7,"method":"get_quote","params":{"symbol":"EURUSD"}}"#);
    assert_eq!(status, 200);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["id"], 7);
    assert_eq!(value["result"]["symbol"], "EURUSD");
    let (status, _) = metaapi_bench::baseline::echo(b"not json");
    assert_eq!(status, 400);
}
