//! Exactly-once trading through faults (issue 14, part 1). A storm of trading calls with `client_id`s, each non-final
//! answer retried with the same id as a client would, while the link between bridge and gateway is cut at random
//! points (a [`FaultProxy`] between them), the gateway restarts on a new port with the same data directory, and the
//! simulated EA pauses at random points (see `stalls`). Real parts throughout: the console, the gateway, the bridge
//! and terminal-sim through `terminal_sim::start`.
//!
//! It passes when every `client_id` maps to at most one order in the terminal (read from the terminal: its history
//! and open orders, which carry the `client_id` of the call that made them), and every final answer a client got
//! matches what the terminal did. Seeded: the seed is printed, and `METAAPI_CHAOS_SEED=<n>` repeats a run's schedule
//! of faults, stalls and calls (thread timing still varies).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use metaapi_terminal_sim::{Mode, SimConfig, SimHandle};
use serde_json::{Value, json};

use crate::faults::FaultProxy;
use crate::harness::{TestConsole, TestGateway, config};
use crate::stalls::{self, Plan, Rng};

/// Sets the seed of a run.
const SEED_VAR: &str = "METAAPI_CHAOS_SEED";

/// Answers after which a client sends the same call again with the same `client_id`.
const NON_FINAL: [&str; 7] = [
    "outcome_unknown",
    "not_executed",
    "terminal_offline",
    "overloaded",
    "auth_unavailable",
    "rate_limited",
    "internal",
];

/// Answers that say the call did not run.
const PROVEN_NOT_RUN: [&str; 3] = ["not_executed", "terminal_offline", "overloaded"];

/// The stall plan is process-wide: one run at a time.
static RUNNING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How big a run is.
struct Scale {
    clients: u64,
    calls_per_client: u64,
    restarts: u64,
    attempts: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_trades_through_link_drops_restarts_and_stalls_runs_each_client_id_at_most_once() {
    run(Scale { clients: 4, calls_per_client: 10, restarts: 2, attempts: 8 }).await;
}

/// The long run: thousands of calls. Run it with `cargo test -p metaapi-gateway-core --test it -- --ignored chaos::a_long`.
///
/// Recorded run (2026-12-06, two shared cores, debug build, at 6c5b665, the shipped MT5 EA as the terminal):
/// `METAAPI_CHAOS_SEED=20261206`: 2,400 client_ids, 13,179 attempts, 1,245 connections cut, 12 gateway restarts,
/// 648 EA pauses, 1,207 orders in the terminal; last answers: 1,540 results, 705 `trade_rejected` (the account runs
/// out of margin as positions pile up), 120 `not_found` (closes and cancels of what an earlier unknown call already
/// closed), 35 still `outcome_unknown` (replies lost with a cut connection); no client_id made a second order and
/// every final answer matched the terminal. 652 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: thousands of trading calls through faults"]
async fn a_long_storm_runs_each_client_id_at_most_once() {
    run(Scale { clients: 8, calls_per_client: 300, restarts: 12, attempts: 8 }).await;
}

/// The case, step by step through the real bridge: a trade queued in the bridge, unclaimed, when the link
/// dies. The gateway cannot know whether it ran, so it says `outcome_unknown` and repeats say so too; the bridge
/// drops the request and reports it in its next hello; then the record says `not_executed` and a repeat runs it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trade_queued_in_the_bridge_when_its_link_dies_is_reported_discarded_and_runs_once_when_repeated() {
    let _one_at_a_time = RUNNING.lock().await;
    let stack = Stack::start(7).await;
    let http = http();
    let address = stack.gateway.addr;
    wait_online(&http, address, &stack.token).await;
    let params = json!({ "client_id": "queued-1", "symbol": "EURUSD", "type": "buy", "volume": 0.03 });
    stalls::hold();
    let call = {
        let (http, token, params) = (http.clone(), stack.token.clone(), params.clone());
        tokio::spawn(async move { send(&http, address, &token, "place_order", &params).await })
    };
    let status = |sim: &SimHandle| {
        let mut buf = vec![0u8; 64 * 1024];
        let mut needed = 0;
        // SAFETY: buf has its length in bytes and needed is a valid out pointer.
        let length = unsafe { (stalls::abi().status)(sim.session(), buf.as_mut_ptr(), buf.len() as i32, &mut needed) };
        assert!(length > 0, "mtb_status failed: {length}");
        serde_json::from_slice::<Value>(&buf[..length as usize]).unwrap()
    };
    let mut queued = false;
    for _ in 0..400 {
        if status(&stack._sim)["queues"]["requests_queued"] == 1 {
            queued = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(queued, "the request never reached the bridge's queue");
    stack.proxy.cut();
    let answer = call.await.unwrap();
    assert_eq!(answer.kind(), "outcome_unknown", "{answer:?}");

    // The bridge relinks and reports the discard; until then, and after, nothing runs twice.
    let mut settled = Value::Null;
    for _ in 0..400 {
        let record = send(&http, address, &stack.token, "get_trade_result", &json!({ "client_id": "queued-1" })).await;
        if let Answer::Result(record) = record
            && record["status"] == "failed"
        {
            settled = record;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(settled["error"]["data"]["kind"], "not_executed", "{settled}");
    assert!(status(&stack._sim)["counters"]["requests_discarded"].as_u64() >= Some(1));
    stalls::release();
    wait_online(&http, address, &stack.token).await;
    let Answer::Result(result) = send(&http, address, &stack.token, "place_order", &params).await else {
        panic!("the repeat runs");
    };
    let again = send(&http, address, &stack.token, "place_order", &params).await;
    assert_eq!(again, Answer::Result(result.clone()));
    let orders = terminal_orders(&http, address, &stack.token).await;
    let made: Vec<&Value> = orders.iter().filter(|order| order["client_id"] == "queued-1").collect();
    assert_eq!(made.len(), 1, "{result} / {orders:?}");
    assert_eq!(made[0]["ticket"], result["order"]);
}

/// What a client got for one attempt.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Result(Value),
    Error(String, Value),
    /// No JSON-RPC answer: connection refused or broken (the gateway restarting).
    Silence(String),
}

impl Answer {
    fn is_final(&self) -> bool {
        match self {
            Answer::Result(_) => true,
            Answer::Error(kind, _) => !NON_FINAL.contains(&kind.as_str()),
            Answer::Silence(_) => false,
        }
    }

    fn kind(&self) -> &str {
        match self {
            Answer::Result(_) => "result",
            Answer::Error(kind, _) => kind,
            Answer::Silence(_) => "silence",
        }
    }
}

/// One trading call and everything its client got, attempt by attempt.
#[derive(Debug)]
struct Call {
    client_id: String,
    method: &'static str,
    params: Value,
    answers: Vec<Answer>,
}

impl Call {
    fn finals(&self) -> impl Iterator<Item = &Answer> {
        self.answers.iter().filter(|answer| answer.is_final())
    }
}

/// What a client knows of its own positions and pending orders, from final results.
#[derive(Default)]
struct Own {
    /// Ticket, side and lots left.
    positions: Vec<(String, &'static str, u64)>,
    orders: Vec<String>,
}

struct Stack {
    console: TestConsole,
    dir: tempfile::TempDir,
    gateway: TestGateway,
    address: Arc<RwLock<SocketAddr>>,
    proxy: FaultProxy,
    token: String,
    _sim: SimHandle,
}

async fn gateway(console: &TestConsole, dir: &std::path::Path) -> TestGateway {
    let mut config = config(console, dir);
    config.pickup_timeout = Duration::from_millis(700);
    config.pickup_slack = Duration::from_millis(150);
    config.reply_timeout = Duration::from_millis(2500);
    TestGateway::start(config).await
}

impl Stack {
    async fn start(seed: u64) -> Stack {
        let console = TestConsole::start().await.with_admin().await;
        let dir = tempfile::tempdir().unwrap();
        let gateway = gateway(&console, dir.path()).await;
        let token = console.create_token("Chaos", None).await.token;
        let proxy = FaultProxy::start(gateway.addr).await;
        let sim = metaapi_terminal_sim::start(
            stalls::abi(),
            SimConfig {
                mode: Mode::Mt5Hedging,
                seed,
                realtime: false,
                gateway_url: proxy.terminal_url(),
                token: token.clone(),
                start_time: None,
                scale: Default::default(),
            },
        )
        .unwrap();
        let address = Arc::new(RwLock::new(gateway.addr));
        Stack { console, dir, gateway, address, proxy, token, _sim: sim }
    }

    /// Stops the gateway and starts another on a new port with the same data directory, behind the same proxy.
    async fn restart(&mut self) {
        self.gateway.stop().await;
        self.gateway = gateway(&self.console, self.dir.path()).await;
        self.proxy.retarget(self.gateway.addr);
        *self.address.write().unwrap() = self.gateway.addr;
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap()
}

async fn send(http: &reqwest::Client, address: SocketAddr, token: &str, method: &str, params: &Value) -> Answer {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let response = match http.post(format!("http://{address}/rpc")).bearer_auth(token).json(&body).send().await {
        Ok(response) => response,
        Err(error) => return Answer::Silence(error.to_string()),
    };
    let status = response.status();
    let Ok(body) = response.json::<Value>().await else {
        return Answer::Silence(format!("HTTP {status} without a JSON body"));
    };
    if let Some(result) = body.get("result") {
        return Answer::Result(result.clone());
    }
    let kind = body["error"]["data"]["kind"].as_str().unwrap_or("unknown").to_owned();
    Answer::Error(kind, body["error"].clone())
}

fn lots(hundredths: u64) -> f64 {
    hundredths as f64 / 100.0
}

/// The next call of a client: mostly market orders and partial closes of its own positions, with pending orders,
/// SL changes, cancels and a trade the terminal refuses mixed in.
fn choose(rng: &mut Rng, own: &Own, client_id: &str, magic: i64) -> (&'static str, Value) {
    let roll = rng.below(100);
    if roll < 25 && !own.positions.is_empty() {
        let (ticket, _, _) = &own.positions[rng.below(own.positions.len() as u64) as usize];
        return ("close_position", json!({ "client_id": client_id, "ticket": ticket, "volume": 0.01 }));
    }
    if roll < 35 && !own.positions.is_empty() {
        let (ticket, side, _) = &own.positions[rng.below(own.positions.len() as u64) as usize];
        // Far from the market, so it never triggers: only the change matters.
        let sl = if *side == "buy" { 0.5 + lots(rng.below(50)) / 10.0 } else { 3.0 + lots(rng.below(50)) };
        return ("modify_position", json!({ "client_id": client_id, "ticket": ticket, "sl": sl }));
    }
    if roll < 42 && !own.orders.is_empty() {
        let ticket = &own.orders[rng.below(own.orders.len() as u64) as usize];
        return ("cancel_order", json!({ "client_id": client_id, "ticket": ticket }));
    }
    if roll < 52 {
        let price = 0.5 + lots(rng.below(20)) / 10.0;
        return (
            "place_order",
            json!({ "client_id": client_id, "symbol": "EURUSD", "type": "buy_limit", "volume": 0.01,
                    "price": price, "magic": magic }),
        );
    }
    if roll < 56 {
        // Far more than the account can carry: a refusal, which is final.
        return (
            "place_order",
            json!({ "client_id": client_id, "symbol": "EURUSD", "type": "buy", "volume": 50.0, "magic": magic }),
        );
    }
    let side = if rng.chance(50) { "buy" } else { "sell" };
    let symbol = if rng.chance(70) { "EURUSD" } else { "GBPUSD" };
    let volume = lots(2 + rng.below(4));
    ("place_order", json!({ "client_id": client_id, "symbol": symbol, "type": side, "volume": volume, "magic": magic }))
}

/// Learns from a call's final result what the client now owns.
fn learn(own: &mut Own, call: &Call) {
    let Some(Answer::Result(result)) = call.finals().next() else { return };
    match call.method {
        "place_order" if call.params["type"] == "buy_limit" => {
            own.orders.extend(result["order"].as_str().map(str::to_owned));
        }
        "place_order" => {
            let side = if call.params["type"] == "buy" { "buy" } else { "sell" };
            let volume = (call.params["volume"].as_f64().unwrap_or(0.0) * 100.0).round() as u64;
            if let Some(position) = result["position_id"].as_str() {
                own.positions.push((position.to_owned(), side, volume));
            }
        }
        "close_position" => {
            let ticket = call.params["ticket"].as_str().unwrap_or_default();
            if let Some(index) = own.positions.iter().position(|(open, _, _)| open == ticket) {
                own.positions[index].2 = own.positions[index].2.saturating_sub(1);
                if own.positions[index].2 == 0 {
                    own.positions.remove(index);
                }
            }
        }
        "cancel_order" => {
            let ticket = call.params["ticket"].as_str().unwrap_or_default();
            own.orders.retain(|order| order != ticket);
        }
        _ => {}
    }
}

/// One client: its calls one after another, each retried with the same `client_id` until a final answer or
/// `attempts` tries.
async fn client(index: u64, seed: u64, scale: &Scale, address: Arc<RwLock<SocketAddr>>, token: String) -> Vec<Call> {
    let mut rng = Rng::new(seed ^ (index + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    let http = http();
    let mut own = Own::default();
    let mut calls = Vec::new();
    for number in 0..scale.calls_per_client {
        let client_id = format!("chaos-{index}-{number}");
        let (method, params) = choose(&mut rng, &own, &client_id, index as i64 + 1);
        let mut call = Call { client_id, method, params, answers: Vec::new() };
        for _ in 0..scale.attempts {
            let at = *address.read().unwrap();
            let answer = send(&http, at, &token, method, &call.params).await;
            let done = answer.is_final();
            call.answers.push(answer);
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50 + rng.below(300))).await;
        }
        learn(&mut own, &call);
        calls.push(call);
    }
    calls
}

/// Every order in the terminal (history and open), as the terminal reports it.
async fn terminal_orders(http: &reqwest::Client, address: SocketAddr, token: &str) -> Vec<Value> {
    let mut orders = Vec::new();
    let mut offset = 0;
    loop {
        let query = json!({ "from": 0, "offset": offset, "limit": 1000 });
        let Answer::Result(page) = send(http, address, token, "get_history_orders", &query).await else {
            panic!("the terminal's history could not be read");
        };
        let rows = page["orders"].as_array().cloned().unwrap_or_default();
        offset += rows.len();
        orders.extend(rows);
        if page["has_more"] != true {
            break;
        }
    }
    let Answer::Result(open) = send(http, address, token, "get_orders", &json!({})).await else {
        panic!("the terminal's orders could not be read");
    };
    orders.extend(open["orders"].as_array().cloned().unwrap_or_default());
    orders
}

fn seed() -> u64 {
    match std::env::var(SEED_VAR) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| panic!("{SEED_VAR} must be a number, not {text:?}")),
        Err(_) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
            now.as_nanos() as u64 % 1_000_000_007
        }
    }
}

async fn wait_online(http: &reqwest::Client, address: SocketAddr, token: &str) {
    for _ in 0..600 {
        if let Answer::Result(_) = send(http, address, token, "ping", &json!({})).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the terminal never came online");
}

async fn run(scale: Scale) {
    let _one_at_a_time = RUNNING.lock().await;
    let seed = seed();
    println!("chaos seed {seed} ({SEED_VAR}={seed} repeats it)");
    let mut stack = Stack::start(seed).await;
    let http = http();
    wait_online(&http, stack.gateway.addr, &stack.token).await;

    stalls::stall(
        Plan {
            before_claim: (12, Duration::from_millis(1200)),
            after_claim: (8, Duration::from_millis(1500)),
            before_reply: (12, Duration::from_millis(3500)),
        },
        seed ^ 0x5EED,
    );
    let scale = Arc::new(scale);
    let clients: Vec<_> = (0..scale.clients)
        .map(|index| {
            let (scale, address, token) = (scale.clone(), stack.address.clone(), stack.token.clone());
            tokio::spawn(async move { client(index, seed, &scale, address, token).await })
        })
        .collect();
    let storm = tokio::spawn(futures_util::future::join_all(clients));

    let mut faults = Rng::new(seed ^ 0xFA17);
    let (mut cuts, mut restarts) = (0, 0);
    while !storm.is_finished() {
        tokio::time::sleep(Duration::from_millis(80 + faults.below(520))).await;
        match faults.below(100) {
            0..70 => cuts += stack.proxy.cut(),
            70..76 if restarts < scale.restarts => {
                stack.restart().await;
                restarts += 1;
            }
            _ => {}
        }
    }
    let mut calls: Vec<Call> = storm.await.unwrap().into_iter().flat_map(|calls| calls.unwrap()).collect();
    stalls::calm();

    // The faults are over: settle what can be settled, retrying each non-final answer as a client would.
    let address = stack.gateway.addr;
    wait_online(&http, address, &stack.token).await;
    for call in calls.iter_mut().filter(|call| !call.answers.last().is_some_and(Answer::is_final)) {
        for _ in 0..3 {
            let answer = send(&http, address, &stack.token, call.method, &call.params).await;
            let done = answer.is_final();
            call.answers.push(answer);
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let orders = terminal_orders(&http, address, &stack.token).await;
    let mut by_client_id: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for order in &orders {
        if let Some(client_id) = order["client_id"].as_str() {
            by_client_id.entry(client_id).or_default().push(order);
        }
    }
    let mut failures = Vec::new();
    for (client_id, made) in &by_client_id {
        if made.len() > 1 {
            let tickets: Vec<&Value> = made.iter().map(|order| &order["ticket"]).collect();
            failures.push(format!("{client_id} made {} orders in the terminal: {tickets:?}", made.len()));
        }
    }
    for call in &calls {
        let made = by_client_id.get(call.client_id.as_str()).map_or(0, Vec::len);
        let finals: Vec<&Answer> = call.finals().collect();
        let distinct: BTreeSet<String> = finals.iter().map(|answer| format!("{answer:?}")).collect();
        if distinct.len() > 1 {
            failures.push(format!("{} got different final answers: {distinct:?}", call.client_id));
        }
        for answer in &call.answers {
            if matches!(answer.kind(), "client_id_conflict" | "invalid_params" | "invalid_terminal_reply") {
                failures.push(format!("{} got {answer:?}", call.client_id));
            }
        }
        let order_made = matches!(call.method, "place_order" | "close_position");
        match (finals.first(), call.answers.last()) {
            (Some(Answer::Result(result)), _) if order_made => {
                let ticket = result["order"].as_str().unwrap_or_default();
                let matching = by_client_id
                    .get(call.client_id.as_str())
                    .is_some_and(|made| made.iter().any(|order| order["ticket"] == ticket));
                if made != 1 || !matching {
                    failures.push(format!(
                        "{} {} answered order {ticket} but the terminal has {made} order(s) for it",
                        call.client_id, call.method
                    ));
                }
            }
            (Some(Answer::Error(kind, _)), _) if made != 0 => {
                failures.push(format!("{} answered {kind}, yet the terminal made {made} order(s)", call.client_id));
            }
            (None, Some(last)) if PROVEN_NOT_RUN.contains(&last.kind()) && made != 0 => {
                failures.push(format!(
                    "{} last answered {}, yet the terminal made {made} order(s)",
                    call.client_id,
                    last.kind()
                ));
            }
            _ => {}
        }
    }

    let mut last_answers: BTreeMap<String, usize> = BTreeMap::new();
    for call in &calls {
        *last_answers.entry(call.answers.last().map_or("none", Answer::kind).to_owned()).or_default() += 1;
    }
    let attempts: usize = calls.iter().map(|call| call.answers.len()).sum();
    println!(
        "chaos seed {seed}: {} client_ids, {attempts} attempts, {cuts} connections cut, {restarts} gateway \
         restarts, {} EA pauses, {} terminal orders; last answers {last_answers:?}",
        calls.len(),
        stalls::pauses(),
        orders.len()
    );
    assert!(failures.is_empty(), "seed {seed}: {} failure(s):\n{}", failures.len(), failures.join("\n"));
}
