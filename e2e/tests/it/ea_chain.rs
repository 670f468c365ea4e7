//! Requests through the shipped EAs do not wait for the timer: each EA serves them in slices it chains through
//! custom chart events. With a timer period of ten minutes the terminal delivers no Timer event during the test
//! (the first one comes a period after OnInit set it), so whatever answers the calls is the chain. With the serving
//! slice's budget at ten minutes as well, a trade's events still arrive: a slice ends after a trading call (MT5, so
//! the terminal delivers the trade's transactions) or scans the orders after one (MT4, which has no trade events).

use metaapi_terminal_sim::programs::{ProgramCode, Shipped};
use metaapi_terminal_sim::{BridgeAbi, Mode, start_program_with_inputs};
use serde_json::{Value, json};

use crate::support::{WAIT, WsPeer, eventually, own_terminal_config, start_demo};

/// Ten minutes: far longer than the test runs.
const TIMER_MS: &str = "600000";
/// Sequential calls, each one only sent after the previous one was answered.
const CALLS: usize = 100;

async fn rpc(client: &reqwest::Client, url: &str, token: &str, id: usize, method: &str) -> Result<Value, String> {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {"symbol": "EURUSD"}});
    let response = client
        .post(format!("{url}/rpc"))
        .bearer_auth(token)
        .json(&body)
        .timeout(WAIT)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    let value: Value = response.json().await.map_err(|error| error.to_string())?;
    if value.get("result").is_some() { Ok(value) } else { Err(value.to_string()) }
}

/// A demo without terminals and `program` started on its own token with `inputs`; the EA answers once this returns.
async fn demo_with_program(
    mode: Mode,
    program: Shipped,
    inputs: Vec<(String, String)>,
) -> (metaapi_demo::Demo, metaapi_terminal_sim::SimHandle, String) {
    let demo = start_demo(Vec::new()).await;
    let (config, token) = own_terminal_config(&demo, mode, &format!("{mode:?}-chain"));
    let sim = start_program_with_inputs(BridgeAbi::linked(), config, ProgramCode::shipped(program), inputs)
        .expect("the EA starts");
    // The link comes up first.
    let client = reqwest::Client::new();
    eventually(&format!("{mode:?}: the EA answers"), || {
        let (client, url, token) = (client.clone(), demo.url.clone(), token.clone());
        async move { rpc(&client, &url, &token, 0, "get_quote").await }
    })
    .await;
    (demo, sim, token)
}

async fn answered_without_the_timer(mode: Mode, program: Shipped) {
    let inputs = vec![("TimerMs".to_owned(), TIMER_MS.to_owned())];
    let (mut demo, sim, token) = demo_with_program(mode, program, inputs).await;
    let client = reqwest::Client::new();
    // Every call must be answered, one after another.
    for id in 1..=CALLS {
        let reply = rpc(&client, &demo.url, &token, id, "get_quote")
            .await
            .unwrap_or_else(|why| panic!("{mode:?}: call {id} of {CALLS} was not answered: {why}"));
        assert_eq!(reply["result"]["symbol"], "EURUSD", "{mode:?}: {reply}");
        assert!(reply["result"]["bid"].as_f64().is_some_and(|bid| bid > 0.0), "{mode:?}: {reply}");
    }
    sim.stop();
    demo.terminals.clear();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt5_ea_answers_every_call_with_a_timer_that_never_fires() {
    answered_without_the_timer(Mode::Mt5Hedging, Shipped::Mt5Expert).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt4_ea_answers_every_call_with_a_timer_that_never_fires() {
    answered_without_the_timer(Mode::Mt4, Shipped::Mt4Expert).await;
}

/// A `trades` subscriber sees the deal of a `place_order` while the timer and the slice's budget are both ten minutes.
async fn trade_events_without_the_timer(mode: Mode, program: Shipped) {
    let inputs = vec![("TimerMs".to_owned(), TIMER_MS.to_owned()), ("BudgetMs".to_owned(), TIMER_MS.to_owned())];
    let (mut demo, sim, token) = demo_with_program(mode, program, inputs).await;
    let mut peer = WsPeer::connect(&demo.url, &token).await;
    let subscribed = peer.call("subscribe", json!({"streams": [{"type": "trades"}]})).await;
    assert!(subscribed.get("result").is_some(), "{mode:?}: {subscribed}");
    let placed = peer.call("place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    let position_id = placed["result"]["position_id"].clone();
    assert!(position_id.is_string(), "{mode:?}: {placed}");
    let deadline = tokio::time::Instant::now() + WAIT;
    while !peer.notifications.iter().any(|(name, params)| {
        name == "deal_added" && params["data"]["position_id"] == position_id && params["data"]["entry"] == "in"
    }) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{mode:?}: no deal_added for position {position_id} within {WAIT:?}: {:?}",
            peer.notifications
        );
        // A harmless call reads what arrived meanwhile.
        peer.call("get_server_time", json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sim.stop();
    demo.terminals.clear();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt5_ea_publishes_a_trades_events_before_its_slice_would_end() {
    trade_events_without_the_timer(Mode::Mt5Hedging, Shipped::Mt5Expert).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt4_ea_publishes_a_trades_events_before_its_slice_would_end() {
    trade_events_without_the_timer(Mode::Mt4, Shipped::Mt4Expert).await;
}
