//! Every example runs to completion against the demo stack (console, gateway, two simulated terminals).

use std::process::Output;
use std::time::Duration;

use metaapi_demo::{Demo, DemoConfig};
use metaapi_terminal_sim::Mode;

/// Runs one example binary with the demo's URL and tokens, within a bounded time.
async fn run(binary: &str, demo: &Demo, extra: &[(&str, &str)]) -> Output {
    let tokens: Vec<&str> = demo.terminals.iter().map(|terminal| terminal.token.as_str()).collect();
    let mut command = tokio::process::Command::new(binary);
    command
        .env("METAAPI_URL", &demo.url)
        .env("METAAPI_TOKEN", tokens[0])
        .env("METAAPI_TOKENS", tokens.join(","))
        .env_remove("OUT")
        .kill_on_drop(true);
    for (name, value) in extra {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .unwrap_or_else(|_| panic!("{binary} did not finish within 60 s"))
        .unwrap_or_else(|error| panic!("cannot run {binary}: {error}"));
    assert!(
        output.status.success(),
        "{binary} failed with {}:\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_runs_to_completion_against_the_demo() {
    let mut config = DemoConfig::new("127.0.0.1:0".parse().expect("an address"));
    config.terminals = vec![Mode::Mt5Hedging, Mode::Mt4];
    let demo = tokio::time::timeout(Duration::from_secs(60), Demo::start(config))
        .await
        .expect("the demo starts within 60 s")
        .expect("the demo starts");

    let account = stdout(&run(env!("CARGO_BIN_EXE_account_info"), &demo, &[]).await);
    assert!(account.contains("login") && account.contains("balance"), "{account}");

    let traded = stdout(&run(env!("CARGO_BIN_EXE_place_and_close"), &demo, &[]).await);
    for line in ["opened", "holding", "closed"] {
        assert!(traded.lines().any(|text| text.starts_with(line)), "no {line:?} line in:\n{traded}");
    }

    let directory = tempfile::tempdir().expect("a temporary directory");
    let csv_path = directory.path().join("deals.csv");
    let csv_arg = csv_path.to_str().expect("a UTF-8 path");
    let exported = run(env!("CARGO_BIN_EXE_export_history"), &demo, &[("OUT", csv_arg)]).await;
    let csv = std::fs::read_to_string(&csv_path).expect("export_history wrote OUT");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("ticket,time,symbol,type,entry,volume,price,profit,commission,swap,position_id"));
    let rows: Vec<&str> = lines.collect();
    // place_and_close opened and closed a EURUSD position: at least those two deals are in the last day.
    assert!(rows.iter().filter(|row| row.contains(",EURUSD,")).count() >= 2, "deals:\n{csv}");
    assert!(rows.iter().all(|row| row.split(',').count() == 11), "every row has 11 columns:\n{csv}");
    let summary = String::from_utf8_lossy(&exported.stderr);
    assert!(summary.contains(&format!("exported {} deals", rows.len())), "{summary}");

    let quotes = stdout(&run(env!("CARGO_BIN_EXE_stream_quotes"), &demo, &[("QUOTES", "3")]).await);
    let quote_lines: Vec<&str> = quotes.lines().filter(|line| line.starts_with('#')).collect();
    assert_eq!(quote_lines.len(), 3, "QUOTES=3 prints three quotes:\n{quotes}");
    assert!(quote_lines.iter().all(|line| line.contains("EURUSD") || line.contains("XAUUSD")), "{quotes}");

    let both = stdout(&run(env!("CARGO_BIN_EXE_two_terminals"), &demo, &[]).await);
    assert!(
        both.contains("terminal 1: Mt5") && both.contains("terminal 2: Mt4"),
        "each token reaches its own terminal:\n{both}"
    );

    demo.stop().await;
}
