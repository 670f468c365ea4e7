//! Every protocol method, through the gateway, the bridge and a simulated terminal, in MT5 hedging, MT5 netting and
//! MT4: each answer is checked against the committed JSON Schema, and `unsupported` must come exactly where the
//! terminal's capabilities say so.

use std::collections::BTreeSet;

use metaapi_e2e::rpc;
use metaapi_protocol::{MethodInfo, Route, method_infos};
use metaapi_terminal_sim::Mode;
use serde_json::{Value, json};

use crate::support::{WsPeer, own_terminal_config, schemas, start_demo};

/// Rounds a price to five digits, as EURUSD and GBPUSD quote.
fn price5(value: f64) -> f64 {
    (value * 1e5).round() / 1e5
}

/// What one terminal's walk needs to know: its tickets and the current market.
struct Walk<'a> {
    url: &'a str,
    token: &'a str,
    mode: Mode,
    capabilities: BTreeSet<String>,
    failures: Vec<String>,
    /// Methods answered with the expected `unsupported`.
    unsupported: Vec<&'static str>,
    /// A EURUSD buy that the walk reads, modifies and finally closes.
    main_position: String,
    /// Two opposite EURUSD positions for `close_position_by` (hedging accounts only).
    close_by: Option<(String, String)>,
    /// A resting buy limit that the walk reads, modifies and cancels.
    pending_order: String,
    /// `client_id` of the walk's own `place_order`, for `get_trade_result`.
    placed_client_id: String,
}

impl Walk<'_> {
    /// Calls a method that must succeed during setup and returns its result.
    async fn must(&self, method: &str, params: Value) -> Value {
        let answer = rpc(self.url, self.token, method, params.clone()).await.expect("the gateway answers");
        match answer.body.get("result") {
            Some(result) => result.clone(),
            None => panic!("{:?}: setup call {method} {params} failed: {}", self.mode, answer.body),
        }
    }

    async fn quote(&self, symbol: &str) -> (f64, f64) {
        let quote = self.must("get_quote", json!({"symbol": symbol})).await;
        (quote["bid"].as_f64().expect("bid"), quote["ask"].as_f64().expect("ask"))
    }

    async fn open(&self, symbol: &str, side: &str) -> String {
        let result = self.must("place_order", json!({"symbol": symbol, "type": side, "volume": 0.1})).await;
        result["position_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{:?}: no position_id in {result}", self.mode))
            .to_owned()
    }

    /// Whether the terminal lacks what `info` requires, so `unsupported` is the right answer.
    fn expects_unsupported(&self, info: &MethodInfo) -> bool {
        info.requires.is_some_and(|capability| {
            let name = serde_json::to_value(capability).expect("capabilities serialize");
            !self.capabilities.contains(name.as_str().expect("a capability is a string"))
        })
    }

    /// Judges one answer: a schema-valid result, or the typed `unsupported` error exactly where expected.
    fn judge(&mut self, info: &MethodInfo, answer: &Value) {
        let name = info.name;
        let mode = self.mode;
        let unsupported_expected = self.expects_unsupported(info);
        match (answer.get("result"), answer.get("error")) {
            (Some(result), None) if !unsupported_expected => {
                if let Err(error) = schemas().validate(&schemas().result_ref(name), result) {
                    self.failures.push(format!("{mode:?} {name}: result does not match the schema: {error}"));
                }
            }
            (Some(result), None) => {
                self.failures.push(format!("{mode:?} {name}: expected unsupported (capability missing), got {result}"))
            }
            (None, Some(error)) if unsupported_expected => {
                self.unsupported.push(name);
                if error["code"] != -32006 || error["data"]["kind"] != "unsupported" {
                    self.failures.push(format!("{mode:?} {name}: expected -32006/unsupported, got {error}"));
                }
                if let Err(problem) = schemas().validate("#/$defs/ErrorObject", error) {
                    self.failures.push(format!("{mode:?} {name}: error object does not match the schema: {problem}"));
                }
            }
            _ => self.failures.push(format!("{mode:?} {name}: expected a result, got {answer}")),
        }
    }

    /// Valid params for `name`, from the canonical examples with real tickets and prices of this terminal.
    async fn params(&self, name: &str, now: i64) -> Value {
        let (bid, ask) = self.quote("EURUSD").await;
        match name {
            "get_symbols" => json!({"group": "*USD*", "selected_only": true}),
            "get_symbol_spec" | "get_quote" | "get_book" => json!({"symbol": "EURUSD"}),
            "select_symbol" => json!({"symbol": "XAUUSD", "enable": true}),
            "get_quotes" => json!({"symbols": ["EURUSD", "XAUUSD"]}),
            "get_candles" => json!({"symbol": "EURUSD", "timeframe": "h1", "count": 2}),
            "get_ticks" => json!({"symbol": "EURUSD", "from": now - 60_000, "count": 2, "kind": "all"}),
            "get_positions" | "get_orders" => json!({"symbol": "EURUSD"}),
            "get_position" => json!({"ticket": self.main_position}),
            "get_order" => json!({"ticket": self.pending_order}),
            "get_history_orders" => json!({"from": now - 86_400_000, "offset": 0, "limit": 100}),
            "get_history_deals" => json!({"position_id": self.main_position, "offset": 0, "limit": 1000}),
            "calc_margin" => json!({"symbol": "EURUSD", "side": "buy", "volume": 1.0, "price": ask}),
            "calc_profit" => json!({
                "symbol": "XAUUSD", "side": "sell", "volume": 0.5, "price_open": 2320.1, "price_close": 2312.74
            }),
            "check_order" => json!({
                "symbol": "EURUSD", "type": "buy", "volume": 0.1, "sl": price5(bid - 0.01),
                "filling": "auto", "time_in_force": "gtc"
            }),
            "place_order" => json!({
                "client_id": self.placed_client_id, "symbol": "EURUSD", "type": "buy", "volume": 0.2,
                "sl": price5(bid - 0.01), "tp": price5(ask + 0.01), "deviation_points": 10, "filling": "auto",
                "time_in_force": "gtc", "magic": 20240611, "comment": "grid-1"
            }),
            "modify_position" => json!({
                "client_id": format!("mod-{}", self.main_position), "ticket": self.main_position,
                "sl": price5(bid - 0.012), "tp": price5(ask + 0.012)
            }),
            "close_position" => json!({
                "client_id": format!("cls-{}", self.main_position), "ticket": self.main_position,
                "deviation_points": 10
            }),
            "close_position_by" => match &self.close_by {
                Some((ticket, opposite)) => {
                    json!({"client_id": "cby-77", "ticket": ticket, "opposite_ticket": opposite})
                }
                // Netting has no close-by; the call still carries well-formed tickets.
                None => json!({"client_id": "cby-77", "ticket": self.main_position, "opposite_ticket": "1"}),
            },
            "close_positions" => json!({"client_id": "flat-gbp", "symbol": "GBPUSD", "side": "buy"}),
            "modify_order" => json!({
                "client_id": format!("mo-{}", self.pending_order), "ticket": self.pending_order,
                "price": price5(ask - 0.015)
            }),
            "cancel_order" => json!({"client_id": format!("cx-{}", self.pending_order), "ticket": self.pending_order}),
            "get_trade_result" => json!({"client_id": self.placed_client_id}),
            _ => json!({}),
        }
    }
}

/// Stream methods in registry order over one `/ws` connection; `unsubscribe` drops what `subscribe` made.
async fn walk_streams(walk: &mut Walk<'_>, infos: &[MethodInfo]) {
    let mut peer = WsPeer::connect(walk.url, walk.token).await;
    let mut subscription_ids = Vec::<Value>::new();
    for info in infos.iter().filter(|info| info.route == Route::Stream) {
        let params = match info.name {
            "subscribe" => json!({"streams": [
                {"type": "quotes", "symbol": "EURUSD"},
                {"type": "candles", "symbol": "XAUUSD", "timeframe": "m5"},
                {"type": "trades"}
            ]}),
            "unsubscribe" => json!({"subscription_ids": subscription_ids}),
            _ => json!({}),
        };
        check_params(walk, info.name, &params);
        let answer = peer.call(info.name, params).await;
        if info.name == "subscribe" {
            subscription_ids = answer["result"]["subscriptions"]
                .as_array()
                .map(|subscriptions| subscriptions.iter().map(|sub| sub["id"].clone()).collect())
                .unwrap_or_default();
        }
        walk.judge(info, &answer);
    }
    // Whatever was pushed meanwhile is part of the protocol too.
    for (name, params) in std::mem::take(&mut peer.notifications) {
        match schemas().notification_ref(&name) {
            Some(reference) => {
                if let Err(error) = schemas().validate(&reference, &params) {
                    walk.failures.push(format!("{:?} notification {name}: {error}", walk.mode));
                }
            }
            None => walk.failures.push(format!("{:?}: notification {name} is not in the schema", walk.mode)),
        }
    }
    peer.close().await;
}

/// Our own params must be valid too, or a refusal would test nothing.
fn check_params(walk: &mut Walk<'_>, name: &str, params: &Value) {
    if let Err(error) = schemas().validate(&schemas().params_ref(name), params) {
        walk.failures.push(format!("{:?} {name}: the test's params do not match the schema: {error}", walk.mode));
    }
}

/// Walks every method on one terminal; returns the problems found and the methods that were (rightly) unsupported.
async fn walk_terminal(url: &str, token: &str, mode: Mode) -> (Vec<String>, Vec<&'static str>) {
    let infos = method_infos();
    let mut walk = Walk {
        url,
        token,
        mode,
        capabilities: BTreeSet::new(),
        failures: Vec::new(),
        unsupported: Vec::new(),
        main_position: String::new(),
        close_by: None,
        pending_order: String::new(),
        placed_client_id: format!("e2e-place-{}", metaapi_demo::mode_name(mode)),
    };
    let info = walk.must("get_terminal_info", json!({})).await;
    walk.capabilities = info["capabilities"]
        .as_array()
        .expect("capabilities is a list")
        .iter()
        .map(|capability| capability.as_str().expect("a capability is a string").to_owned())
        .collect();

    // Real tickets to work on: one main position, a pair for close-by where the account hedges, a GBPUSD position
    // for close_positions, and a buy limit far below the market.
    walk.main_position = walk.open("EURUSD", "buy").await;
    if walk.capabilities.contains("hedging") {
        let long = walk.open("EURUSD", "buy").await;
        let short = walk.open("EURUSD", "sell").await;
        walk.close_by = Some((long, short));
    }
    walk.open("GBPUSD", "buy").await;
    let (_, ask) = walk.quote("EURUSD").await;
    let pending = walk
        .must(
            "place_order",
            json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.1, "price": price5(ask - 0.01)}),
        )
        .await;
    walk.pending_order = pending["order"].as_str().expect("a pending order has an order ticket").to_owned();
    let now = walk.must("get_server_time", json!({})).await["time"].as_i64().expect("server time");

    for info in infos.iter().filter(|info| info.route != Route::Stream) {
        let params = walk.params(info.name, now).await;
        check_params(&mut walk, info.name, &params);
        let answer = rpc(url, token, info.name, params).await.expect("the gateway answers");
        if answer.status != 200 {
            walk.failures.push(format!("{mode:?} {}: HTTP {}", info.name, answer.status));
        }
        walk.judge(info, &answer.body);
    }
    walk_streams(&mut walk, &infos).await;
    (walk.failures, walk.unsupported)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_answers_schema_valid_in_every_mode() {
    // The committed schema and the registry describe the same methods.
    let registry: Vec<&str> = method_infos().iter().map(|info| info.name).collect();
    assert_eq!(schemas().method_names(), registry, "schemas/ is stale: run cargo xtask codegen");

    let modes = vec![Mode::Mt5Hedging, Mode::Mt5Netting, Mode::Mt4];
    let demo = start_demo(modes.clone()).await;
    let mut failures = Vec::new();
    let mut unsupported = Vec::new();
    for (terminal, mode) in demo.terminals.iter().zip(modes) {
        let (problems, refused) = walk_terminal(&demo.url, &terminal.token, mode).await;
        failures.extend(problems);
        unsupported.push((mode, refused));
    }
    demo.stop().await;
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
    // The refusals came from the capabilities each platform announced: none on MT5 hedging, close-by on netting,
    // tick history and depth on MT4.
    assert_eq!(
        unsupported,
        vec![
            (Mode::Mt5Hedging, vec![]),
            (Mode::Mt5Netting, vec!["close_position_by"]),
            (Mode::Mt4, vec!["get_ticks", "get_book"]),
        ]
    );
}

/// The shipped MQL5 Service answers every method too (its own dispatch, run by the terminal's OnStart thread).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt5_service_answers_every_method_schema_valid() {
    use metaapi_terminal_sim::programs::{ProgramCode, Shipped};
    use metaapi_terminal_sim::{BridgeAbi, start_program};

    let demo = start_demo(Vec::new()).await;
    let (config, token) = own_terminal_config(&demo, Mode::Mt5Hedging, "MT5-Service");
    let service = ProgramCode::shipped(Shipped::Mt5Service);
    let sim = start_program(BridgeAbi::linked(), config, service).expect("the service starts");
    crate::support::eventually("the service links", || async {
        let answer = rpc(&demo.url, &token, "get_terminal_info", json!({})).await?;
        answer.body.get("result").map(|_| ()).ok_or_else(|| answer.body.to_string())
    })
    .await;
    let (failures, refused) = walk_terminal(&demo.url, &token, Mode::Mt5Hedging).await;
    sim.stop();
    demo.stop().await;
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
    assert_eq!(refused, Vec::<&str>::new());
}
