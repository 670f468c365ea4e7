//! Runs the smoke plan in-process (the memory scenario starts the built `metaapi-bench` as its child processes).

use std::path::PathBuf;
use std::time::Duration;

use metaapi_bench::load::{Load, Operation, Target};
use metaapi_bench::report::expected_keys;
use metaapi_bench::{Part, Plan, run};

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

#[test]
fn only_runs_the_part_asked_for() {
    let mut plan = Plan::smoke(PathBuf::from(env!("CARGO_BIN_EXE_metaapi-bench")));
    plan.only = Some(Part::Memory);
    let report = run(&plan, &mut |step| eprintln!("- {step}")).expect("the memory part completes");
    assert!(report.row("memory.clients").is_some(), "the memory rows are there");
    assert!(report.row("rpc.get_quote.c1").is_none() && report.row("fanout.ticks").is_none(), "nothing else ran");
    assert_eq!(Part::parse("fanout"), Some(Part::Fanout));
    assert_eq!(Part::parse("everything"), None);
}

#[test]
fn the_relay_floor_answers_calls_with_the_echo() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let address = runtime.block_on(metaapi_bench::relay::start(stop.clone())).expect("the relay links");
    let target = Target { address, tokens: vec!["unused".into()], echo: true };
    let load =
        Load { connections: 4, warmup: Duration::ZERO, duration: Duration::from_millis(200), max_operations: 50 };
    let measured = runtime.block_on(metaapi_bench::load::run(&target, load, Operation::Quote)).expect("calls pass");
    // The load generator fails on any answer that is not a JSON-RPC result, so every counted call came back whole.
    assert!(measured.operations > 0);
    stop.cancel();
}
