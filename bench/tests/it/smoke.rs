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

#[test]
fn wrk_results_are_read_from_the_scripts_line_and_bad_lines_refused() {
    use metaapi_bench::external::parse;
    let output = "Running 1s test @ http://127.0.0.1:1/rpc\n  1 threads and 1 connections\nRESULT 120 480 900.5 8123 1000412 0\n";
    let result = parse(output).expect("the RESULT line parses");
    assert_eq!(result.latency, (120, 480, 900));
    assert_eq!((result.requests, result.duration_us, result.bad), (8123, 1_000_412, 0));
    assert!((result.throughput() - 8119.65).abs() < 1.0);
    assert!(parse("Running 1s test\n").unwrap_err().to_string().contains("no RESULT line"));
    assert!(parse("RESULT 1 2 3\n").unwrap_err().to_string().contains("not 6"));
    assert!(parse("RESULT a b c d e f\n").unwrap_err().to_string().contains("not numbers"));
    let script = metaapi_bench::external::script("mat_secret");
    assert!(script.contains("Bearer mat_secret") && script.contains(r#""method":"get_quote""#));
}

/// wrk is the real external process here; ./test.sh installs it. Answers that are not JSON-RPC results (here the
/// demo's 401 for a token it never issued) make the run fail instead of counting as fast calls.
#[test]
fn wrk_against_the_demo_child_refuses_runs_with_error_answers() {
    use metaapi_bench::external::{ServerChild, available, run};
    assert!(available(), "wrk is not installed (apt-get install wrk); ./test.sh installs it");
    let demo = ServerChild::start(std::path::Path::new(env!("CARGO_BIN_EXE_metaapi-bench")), "serve-demo")
        .expect("the demo child starts");
    let good = run(demo.address, &demo.token, 1, 1).expect("calls with the demo's token are results");
    assert!(good.requests > 0 && good.bad == 0);
    let error = run(demo.address, "mat_not_a_token", 1, 1).expect_err("401 answers are refused");
    assert!(error.to_string().contains("were not JSON-RPC results"), "{error}");
}
