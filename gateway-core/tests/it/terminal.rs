//! A test terminal peer: speaks `metaapi_protocol::link` over `/terminal` exactly as the bridge DLL does (hello,
//! taken, reply, events, heartbeats) and answers with small but valid results. It can hold requests until their
//! deadline, go silent after taking one, send a reply that does not match the result type, and drop the link.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use metaapi_protocol::ErrorObject;
use metaapi_protocol::link::{BridgeMessage, Discarded, GatewayMessage, LINK_VERSION};
use metaapi_protocol::methods::StreamSpec;
use metaapi_protocol::methods::{AccountInfo, TradeResult};
use metaapi_protocol::types::{AccountTradeMode, Capability, MarginMode, Platform, StopOutMode, TerminalIdentity};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{Read, connect, read};

/// How the terminal treats requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Take and answer at once.
    Answer,
    /// Take, wait, then answer.
    Delay(Duration),
    /// Never take; at the deadline answer `not_executed`, as the DLL does for a request still queued.
    Hold,
    /// Read requests and do nothing at all.
    Ignore,
    /// Take and never answer.
    Silent,
    /// Answer with a result that does not match the method's result type.
    BadReply,
}

/// Shared state of a test terminal.
pub struct State {
    /// Current mode.
    pub mode: Mutex<Mode>,
    /// Every request received: method and params.
    pub requests: Mutex<Vec<(String, Value)>>,
    /// The link ids of those requests, in the same order.
    pub ids: Mutex<Vec<u64>>,
    /// Latest interest message.
    pub interest: Mutex<Vec<String>>,
    /// The streams of the latest interest message (the demand the EA serves).
    pub demand: Mutex<Vec<StreamSpec>>,
    /// Whether heartbeats are sent.
    pub heartbeats: AtomicBool,
    /// Whether the link is still up.
    pub linked: AtomicBool,
    /// The login it reports.
    pub login: u64,
    tickets: AtomicU64,
    /// What the terminal shows: rows `get_history_deals`, `get_positions`, `get_orders` and `get_history_orders`
    /// answer with (the result's list member), as a real terminal shows what its trades made.
    pub shows: Mutex<Shows>,
}

/// Rows the test terminal lists, each as the protocol's JSON.
#[derive(Default)]
pub struct Shows {
    pub deals: Vec<Value>,
    pub positions: Vec<Value>,
    pub orders: Vec<Value>,
    pub history_orders: Vec<Value>,
}

/// A linked test terminal.
pub struct TestTerminal {
    pub state: Arc<State>,
    out: mpsc::UnboundedSender<Option<Message>>,
    seq: AtomicU64,
}

/// The identity a test terminal announces.
pub fn identity(login: u64) -> TerminalIdentity {
    TerminalIdentity {
        platform: Platform::Mt5,
        build: 4000,
        company: "Test Broker".into(),
        server: "Test-Demo".into(),
        login,
        account_name: format!("Trader {login}"),
        currency: "USD".into(),
        margin_mode: MarginMode::Hedging,
    }
}

fn account(login: u64) -> AccountInfo {
    AccountInfo {
        platform: Platform::Mt5,
        login,
        name: format!("Trader {login}"),
        server: "Test-Demo".into(),
        company: "Test Broker".into(),
        currency: "USD".into(),
        currency_digits: 2,
        leverage: 100,
        balance: 10000.0,
        credit: 0.0,
        profit: 0.0,
        equity: 10000.0,
        margin: 0.0,
        free_margin: 10000.0,
        margin_level: None,
        margin_call_level: 100.0,
        stop_out_level: 50.0,
        stop_out_mode: StopOutMode::Percent,
        margin_mode: MarginMode::Hedging,
        trade_mode: AccountTradeMode::Demo,
        trade_allowed: true,
        expert_allowed: true,
        limit_orders: 0,
        fifo_close: false,
        investor_mode: false,
    }
}

/// The symbols a test terminal lists; `subscribe` refuses others.
pub const SYMBOLS: [&str; 4] = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD"];

fn answer(state: &State, method: &str, params: &Value) -> Result<Value, ErrorObject> {
    match method {
        "get_account_info" => Ok(serde_json::to_value(account(state.login)).unwrap()),
        "get_positions" => Ok(json!({ "positions": state.shows.lock().unwrap().positions })),
        "get_orders" => Ok(json!({ "orders": state.shows.lock().unwrap().orders })),
        "get_history_deals" => Ok(json!({ "deals": state.shows.lock().unwrap().deals, "has_more": false })),
        "get_history_orders" => Ok(json!({ "orders": state.shows.lock().unwrap().history_orders, "has_more": false })),
        "get_symbols" => Ok(json!({ "symbols": SYMBOLS.iter().map(|name| json!({
            "name": name, "description": name, "path": "Forex", "digits": 5, "selected": true
        })).collect::<Vec<_>>() })),
        "place_order" | "close_position" | "modify_position" | "modify_order" | "cancel_order" => {
            let ticket = state.tickets.fetch_add(1, Ordering::Relaxed) + 1000;
            let result = TradeResult {
                client_id: params["client_id"].as_str().map(str::to_owned),
                retcode: 10009,
                retcode_name: "TRADE_RETCODE_DONE".into(),
                message: "done".into(),
                order: Some(ticket.to_string()),
                deal: Some(ticket.to_string()),
                position_id: Some(ticket.to_string()),
                remaining_ticket: None,
                volume: params["volume"].as_f64().unwrap_or(0.1),
                price: 1.1,
                bid: Some(1.0999),
                ask: Some(1.1),
                comment: String::new(),
                platform: Platform::Mt5,
            };
            Ok(serde_json::to_value(result).unwrap())
        }
        _ => Err(ErrorObject::unsupported(Platform::Mt5, format!("the test terminal does not answer {method}"))),
    }
}

impl TestTerminal {
    /// Links to `url` (`ws://.../terminal`) with `token`; `Err` is the HTTP refusal or the `refused` error.
    pub async fn link(
        url: &str,
        token: &str,
        login: u64,
        capabilities: Vec<Capability>,
    ) -> Result<TestTerminal, (u16, Value)> {
        TestTerminal::relink(url, token, login, capabilities, Vec::new()).await
    }

    /// Links like [`TestTerminal::link`], reporting in the hello the requests of an earlier link it discarded.
    pub async fn relink(
        url: &str,
        token: &str,
        login: u64,
        capabilities: Vec<Capability>,
        discarded: Vec<Discarded>,
    ) -> Result<TestTerminal, (u16, Value)> {
        let mut socket = connect(url, Some(token), &[]).await?;
        let hello = BridgeMessage::Hello {
            link_version: LINK_VERSION,
            bridge_version: "test".into(),
            terminal: identity(login),
            capabilities,
            discarded,
        };
        socket.send(Message::text(serde_json::to_string(&hello).unwrap())).await.unwrap();
        match read(&mut socket, Duration::from_secs(10)).await {
            Read::Json(value) => match serde_json::from_value::<GatewayMessage>(value.clone()).unwrap() {
                GatewayMessage::Welcome { .. } => {}
                GatewayMessage::Refused { error } => return Err((0, serde_json::to_value(error).unwrap())),
                other => panic!("unexpected first message {other:?}"),
            },
            other => panic!("no welcome: {other:?}"),
        }
        let state = Arc::new(State {
            mode: Mutex::new(Mode::Answer),
            requests: Mutex::new(Vec::new()),
            ids: Mutex::new(Vec::new()),
            interest: Mutex::new(Vec::new()),
            demand: Mutex::new(Vec::new()),
            heartbeats: AtomicBool::new(true),
            linked: AtomicBool::new(true),
            login,
            tickets: AtomicU64::new(0),
            shows: Mutex::new(Shows::default()),
        });
        let (out, mut outgoing) = mpsc::unbounded_channel::<Option<Message>>();
        let task_state = state.clone();
        let task_out = out.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_millis(200));
            loop {
                tokio::select! {
                    message = outgoing.recv() => match message {
                        Some(Some(message)) => {
                            if socket.send(message).await.is_err() { break; }
                        }
                        // `None` drops the link without a close handshake, like a crashed terminal.
                        _ => break,
                    },
                    _ = ticker.tick() => {
                        if task_state.heartbeats.load(Ordering::Relaxed) {
                            let beat = BridgeMessage::Heartbeat { time: metaapi_gateway_core::auth::now_ms() };
                            if socket.send(Message::text(serde_json::to_string(&beat).unwrap())).await.is_err() { break; }
                        }
                    }
                    incoming = socket.next() => match incoming {
                        Some(Ok(Message::Text(text))) => {
                            let message: GatewayMessage = serde_json::from_str(&text).unwrap();
                            handle(&task_state, &task_out, message);
                        }
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => {}
                    },
                }
            }
            task_state.linked.store(false, Ordering::Relaxed);
        });
        Ok(TestTerminal { state, out, seq: AtomicU64::new(0) })
    }

    /// Changes how requests are treated.
    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// How many requests of `method` arrived.
    pub fn count(&self, method: &str) -> usize {
        self.state.requests.lock().unwrap().iter().filter(|(name, _)| name == method).count()
    }

    /// The link id of the latest request of `method`.
    pub fn last_id(&self, method: &str) -> u64 {
        let requests = self.state.requests.lock().unwrap();
        let index = requests.iter().rposition(|(name, _)| name == method).expect("a request of that method");
        self.state.ids.lock().unwrap()[index]
    }

    /// Pushes an event.
    pub fn event(&self, name: &str, data: Value) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let event = BridgeMessage::Event { seq, name: name.into(), data };
        let _ = self.out.send(Some(Message::text(serde_json::to_string(&event).unwrap())));
    }

    /// Sends a raw link message.
    pub fn send(&self, message: &BridgeMessage) {
        let _ = self.out.send(Some(Message::text(serde_json::to_string(message).unwrap())));
    }

    /// Drops the connection abruptly.
    pub fn drop_link(&self) {
        let _ = self.out.send(None);
    }

    /// Stops sending heartbeats (the link looks dead to the gateway after its timeout).
    pub fn stop_heartbeats(&self) {
        self.state.heartbeats.store(false, Ordering::Relaxed);
    }

    /// Whether the link is up.
    pub fn linked(&self) -> bool {
        self.state.linked.load(Ordering::Relaxed)
    }
}

fn send(out: &mpsc::UnboundedSender<Option<Message>>, message: &BridgeMessage) {
    let _ = out.send(Some(Message::text(serde_json::to_string(message).unwrap())));
}

fn handle(state: &Arc<State>, out: &mpsc::UnboundedSender<Option<Message>>, message: GatewayMessage) {
    let GatewayMessage::Request { id, method, params, deadline } = message else {
        if let GatewayMessage::Interest { symbols, streams } = message {
            // Demand first: tests wait for the symbols, then read the streams of the same message.
            *state.demand.lock().unwrap() = streams;
            *state.interest.lock().unwrap() = symbols;
        }
        return;
    };
    state.requests.lock().unwrap().push((method.clone(), params.clone()));
    state.ids.lock().unwrap().push(id);
    let mode = *state.mode.lock().unwrap();
    let client_id = params["client_id"].as_str().map(str::to_owned);
    let reply = |result: Result<Value, ErrorObject>| {
        let (result, error) = match result {
            Ok(value) => (Some(value), None),
            Err(error) => (None, Some(error)),
        };
        BridgeMessage::Reply { id, client_id: client_id.clone(), method: method.clone(), result, error }
    };
    match mode {
        Mode::Answer => {
            send(out, &BridgeMessage::Taken { id });
            send(out, &reply(answer(state, &method, &params)));
        }
        Mode::Delay(delay) => {
            send(out, &BridgeMessage::Taken { id });
            let message = reply(answer(state, &method, &params));
            let out = out.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                send(&out, &message);
            });
        }
        Mode::Hold => {
            let message =
                reply(Err(ErrorObject::new(metaapi_protocol::ErrorKind::NotExecuted, "still queued at the deadline")));
            let out = out.clone();
            tokio::spawn(async move {
                let wait = u64::try_from(deadline - metaapi_gateway_core::auth::now_ms()).unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                send(&out, &message);
            });
        }
        Mode::Ignore => {}
        Mode::Silent => send(out, &BridgeMessage::Taken { id }),
        Mode::BadReply => {
            send(out, &BridgeMessage::Taken { id });
            send(out, &reply(Ok(json!({ "surprise": true }))));
        }
    }
}
