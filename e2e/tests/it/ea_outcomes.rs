//! Exactly-once trading through the terminal's own faults, for the shipped MT5 and MT4 EAs: a trade server that
//! times out after executing a request, one that times out before, and a terminal without its trade server
//! connection. A `trade_rejected` answer tells the gateway nothing was executed, so it must only come when that is
//! proven; the terminal's own position count is the truth the answers are checked against.

use metaapi_e2e::rpc;
use metaapi_terminal_sim::Mode;
use metaapi_terminal_sim::engine::broker::TradeFault;
use serde_json::{Value, json};

use crate::ea_time::{call, start_sim};
use crate::support::{eventually, start_demo};

/// The trade server's timeout code and its "no connection" code on the mode's platform.
fn codes(mode: Mode) -> (i32, i32) {
    match mode {
        Mode::Mt4 => (128, 6),
        _ => (10012, 10031),
    }
}

/// The whole JSON-RPC answer of `method` (result or error).
async fn answer(demo: &metaapi_demo::Demo, token: &str, method: &str, params: Value) -> Value {
    let answer = rpc(&demo.url, token, method, params).await.unwrap_or_else(|e| panic!("{e}"));
    answer.body
}

fn buy(client_id: &str) -> Value {
    json!({"client_id": client_id, "symbol": "EURUSD", "type": "buy", "volume": 0.1})
}

fn kind(answer: &Value) -> &str {
    answer["error"]["data"]["kind"].as_str().unwrap_or_else(|| panic!("not an error: {answer}"))
}

/// The codes after which a request may have run: a timeout, a connection lost while it was out (the terminal was
/// connected when it sent it), and MT5's processing error or MT4's "no result".
fn may_have_run(mode: Mode) -> [i32; 3] {
    match mode {
        Mode::Mt4 => [128, 6, 1],
        _ => [10012, 10031, 10011],
    }
}

async fn a_request_that_ran_is_found_and_never_runs_twice(mode: Mode) {
    let demo = start_demo(Vec::new()).await;
    let (sim, token) = start_sim(&demo, mode, None).await;
    for (index, code) in may_have_run(mode).into_iter().enumerate() {
        let client_id = format!("ran-then-{code}");
        sim.inject_trade_faults(TradeFault { retcode: code, executed: true }, 1);
        let first = answer(&demo, &token, "place_order", buy(&client_id)).await;
        // The EA finds the order by its cid: comment, so the answer is the trade, not a rejection.
        let result = first.get("result").unwrap_or_else(|| panic!("the executed order is found after {code}: {first}"));
        assert_eq!(result["client_id"], json!(client_id), "{first}");
        assert!(result["position_id"].is_string(), "{first}");
        assert_eq!(sim.positions_total(), index + 1, "the server opened the position");
        for _ in 0..2 {
            let repeat = answer(&demo, &token, "place_order", buy(&client_id)).await;
            assert_eq!(repeat, first, "a repeat gets the recorded outcome");
        }
        assert_eq!(sim.positions_total(), index + 1, "repeats never open a second position");
        let record = call(&demo, &token, "get_trade_result", json!({"client_id": client_id})).await;
        assert_eq!(record["status"], json!("done"), "{record}");
        let positions = call(&demo, &token, "get_positions", json!({})).await;
        let mine: Vec<&Value> = positions["positions"]
            .as_array()
            .map(|rows| rows.iter().filter(|row| row["client_id"] == json!(client_id)).collect())
            .unwrap_or_default();
        assert_eq!(mine.len(), 1, "{positions}");
        assert_eq!(mine[0]["position_id"], result["position_id"], "the answer names the position the terminal shows");
    }
    // Closes carry no comment to find: each one the server ran but timed out on is outcome_unknown, never rejected.
    let (timeout, _) = codes(mode);
    sim.inject_trade_faults(TradeFault { retcode: timeout, executed: true }, 3);
    let closed = call(&demo, &token, "close_positions", json!({"client_id": "close-all-timed-out"})).await;
    let outcomes = closed["outcomes"].as_array().unwrap_or_else(|| panic!("outcomes: {closed}"));
    assert_eq!(outcomes.len(), 3, "{closed}");
    for outcome in outcomes {
        assert_eq!(outcome["error"]["data"]["kind"], json!("outcome_unknown"), "{closed}");
        assert_eq!(outcome["error"]["data"]["retcode"], json!(timeout), "{closed}");
    }
    assert_eq!(sim.positions_total(), 0, "the server closed them all");
    sim.stop();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_a_request_that_ran_is_found_and_never_runs_twice() {
    a_request_that_ran_is_found_and_never_runs_twice(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_a_request_that_ran_is_found_and_never_runs_twice() {
    a_request_that_ran_is_found_and_never_runs_twice(Mode::Mt4).await;
}

async fn a_request_with_nothing_to_find_is_outcome_unknown(mode: Mode) {
    let demo = start_demo(Vec::new()).await;
    let (sim, token) = start_sim(&demo, mode, None).await;
    let (timeout, _) = codes(mode);
    sim.inject_trade_faults(TradeFault { retcode: timeout, executed: false }, 1);
    let first = answer(&demo, &token, "place_order", buy("timed-out-unsent")).await;
    assert_eq!(kind(&first), "outcome_unknown", "{first}");
    assert_eq!(first["error"]["data"]["retcode"], json!(timeout), "{first}");
    assert!(first["error"]["data"]["retcode_name"].is_string(), "{first}");
    assert_eq!(first["error"]["data"]["client_id"], json!("timed-out-unsent"), "{first}");
    assert_eq!(sim.positions_total(), 0);
    let repeat = answer(&demo, &token, "place_order", buy("timed-out-unsent")).await;
    assert_eq!(kind(&repeat), "outcome_unknown", "never run again: {repeat}");
    assert_eq!(sim.positions_total(), 0);
    let record = call(&demo, &token, "get_trade_result", json!({"client_id": "timed-out-unsent"})).await;
    assert_eq!(record["status"], json!("unknown"), "nothing shows it: {record}");
    // Without a client_id, or with a comment of the caller's own, there is nothing to look for: a request that ran
    // and timed out is outcome_unknown too.
    sim.inject_trade_faults(TradeFault { retcode: timeout, executed: true }, 2);
    let anonymous =
        answer(&demo, &token, "place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    assert_eq!(kind(&anonymous), "outcome_unknown", "{anonymous}");
    let mut commented = buy("own-comment");
    commented["comment"] = json!("mine");
    let commented = answer(&demo, &token, "place_order", commented).await;
    assert_eq!(kind(&commented), "outcome_unknown", "{commented}");
    assert_eq!(sim.positions_total(), 2, "both ran on the server");
    // A close carries no client_id to find (MT4's OrderClose takes no comment; MT5's closing deal would, but this
    // one never ran): outcome_unknown.
    let positions = call(&demo, &token, "get_positions", json!({})).await;
    let ticket = positions["positions"][0]["ticket"].clone();
    sim.inject_trade_faults(TradeFault { retcode: timeout, executed: false }, 1);
    let close = answer(&demo, &token, "close_position", json!({"ticket": ticket, "client_id": "close-unsent"})).await;
    assert_eq!(kind(&close), "outcome_unknown", "{close}");
    assert_eq!(sim.positions_total(), 2);
    sim.stop();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_a_request_with_nothing_to_find_is_outcome_unknown() {
    a_request_with_nothing_to_find_is_outcome_unknown(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_a_request_with_nothing_to_find_is_outcome_unknown() {
    a_request_with_nothing_to_find_is_outcome_unknown(Mode::Mt4).await;
}

async fn a_disconnected_terminal_rejects_trades_and_stops_quoting(mode: Mode) {
    let demo = start_demo(Vec::new()).await;
    let (sim, token) = start_sim(&demo, mode, None).await;
    let (_, no_connection) = codes(mode);
    sim.set_broker_connected(false);
    let cut = call(&demo, &token, "get_quote", json!({"symbol": "EURUSD"})).await;
    let refused = answer(&demo, &token, "place_order", buy("while-disconnected")).await;
    // A terminal that was not connected sent nothing: that is a proven rejection.
    assert_eq!(kind(&refused), "trade_rejected", "{refused}");
    assert_eq!(refused["error"]["data"]["retcode"], json!(no_connection), "{refused}");
    assert_eq!(sim.positions_total(), 0);
    // The clock runs on (the server time moves) while the quote stays where the connection broke.
    let since = call(&demo, &token, "get_server_time", json!({})).await["time"].as_i64().expect("time");
    eventually("the terminal's clock moves on", || async {
        let now = call(&demo, &token, "get_server_time", json!({})).await["time"].as_i64().expect("time");
        if now > since + 5_000 { Ok(()) } else { Err(format!("{now}")) }
    })
    .await;
    let still = call(&demo, &token, "get_quote", json!({"symbol": "EURUSD"})).await;
    assert_eq!(still["time"], cut["time"], "no quote while disconnected: {cut} then {still}");
    sim.set_broker_connected(true);
    eventually("quotes come back", || async {
        let quote = call(&demo, &token, "get_quote", json!({"symbol": "EURUSD"})).await;
        if quote["time"] != cut["time"] { Ok(()) } else { Err(quote.to_string()) }
    })
    .await;
    let placed = answer(&demo, &token, "place_order", buy("after-reconnect")).await;
    assert!(placed.get("result").is_some(), "{placed}");
    assert_eq!(sim.positions_total(), 1);
    sim.stop();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_a_disconnected_terminal_rejects_trades_and_stops_quoting() {
    a_disconnected_terminal_rejects_trades_and_stops_quoting(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_a_disconnected_terminal_rejects_trades_and_stops_quoting() {
    a_disconnected_terminal_rejects_trades_and_stops_quoting(Mode::Mt4).await;
}
