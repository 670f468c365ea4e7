//! The method table covers the registry, every terminal method answers with its result type in every mode, and
//! bad input gets a clear error.

use metaapi_protocol::{ErrorKind, Method, MethodVisitor, Route, for_each_method};
use metaapi_terminal_sim::{Mode, Terminal, TerminalConfig, dispatch};
use serde_json::{Value, json};

#[test]
fn every_terminal_routed_method_is_handled() {
    assert!(dispatch::unhandled().is_empty(), "unhandled: {:?}", dispatch::unhandled());
    let terminal_methods: Vec<_> = metaapi_protocol::method_infos()
        .into_iter()
        .filter(|info| info.route == Route::Terminal)
        .map(|info| info.name)
        .collect();
    let mut expected = terminal_methods.clone();
    expected.sort_unstable();
    assert_eq!(dispatch::handled(), expected);
}

#[test]
fn gateway_methods_and_bad_params_are_errors() {
    let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, 1));
    assert_eq!(terminal.handle("ping", json!({})).expect_err("gateway").kind(), ErrorKind::MethodNotFound);
    let error = terminal.handle("get_quote", json!({"symbol": 5})).expect_err("bad");
    assert_eq!(error.kind(), ErrorKind::InvalidParams);
    assert_eq!(error.data.and_then(|data| data.field).as_deref(), Some("symbol"));
    let error =
        terminal.handle("place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": -1})).expect_err("bad");
    assert_eq!(error.kind(), ErrorKind::InvalidParams);
}

/// Sample params for every terminal method, valid in every mode.
pub fn sample_params(name: &str, now: i64) -> Value {
    match name {
        "get_symbols" => json!({"group": "*USD*"}),
        "get_symbol_spec" | "get_quote" | "get_book" | "select_symbol" => json!({"symbol": "EURUSD"}),
        "get_quotes" => json!({"symbols": ["EURUSD", "XAUUSD"]}),
        "get_candles" => json!({"symbol": "EURUSD", "timeframe": "h1", "count": 24}),
        "get_ticks" => json!({"symbol": "EURUSD", "from": now - 60_000, "count": 100}),
        "get_position" | "get_order" | "close_position" | "cancel_order" => json!({"ticket": "1"}),
        "modify_position" => json!({"ticket": "1", "sl": 1.0}),
        "modify_order" => json!({"ticket": "1", "price": 1.0}),
        "get_history_orders" | "get_history_deals" => json!({"from": 0}),
        "calc_margin" => json!({"symbol": "XAUUSD", "side": "buy", "volume": 0.1}),
        "calc_profit" => {
            json!({"symbol": "US500", "side": "sell", "volume": 1.0, "price_open": 5000.0, "price_close": 4990.0})
        }
        "check_order" | "place_order" => json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": "c-1"}),
        "close_position_by" => json!({"ticket": "1", "opposite_ticket": "2"}),
        _ => json!({}),
    }
}

struct Check<'a> {
    terminal: &'a mut Terminal,
    mode: Mode,
}

impl MethodVisitor for Check<'_> {
    fn visit<M: Method>(&mut self) {
        if M::ROUTE != Route::Terminal {
            return;
        }
        let params = sample_params(M::NAME, self.terminal.now());
        match self.terminal.handle(M::NAME, params) {
            Ok(result) => {
                serde_json::from_value::<M::Result>(result.clone())
                    .unwrap_or_else(|error| panic!("{:?} {}: {error}: {result}", self.mode, M::NAME));
            }
            Err(error) => {
                // Only the documented errors: unknown ticket 1 and what the platform lacks.
                let allowed = [ErrorKind::NotFound, ErrorKind::Unsupported];
                assert!(allowed.contains(&error.kind()), "{:?} {}: {error:?}", self.mode, M::NAME);
                if error.kind() == ErrorKind::Unsupported {
                    assert!(
                        self.mode == Mode::Mt4 || (self.mode == Mode::Mt5Netting && M::NAME == "close_position_by"),
                        "{:?} {}",
                        self.mode,
                        M::NAME
                    );
                }
            }
        }
    }
}

#[test]
fn every_method_returns_its_result_type_in_every_mode() {
    for mode in Mode::ALL {
        let mut terminal = Terminal::new(TerminalConfig::new(mode, 9));
        let to = terminal.now() + 5_000;
        terminal.advance(to);
        for_each_method(&mut Check { terminal: &mut terminal, mode });
        let events = terminal.take_events();
        assert!(events.iter().any(|event| event.name == "deal_added"), "{mode:?}: place_order published a deal");
        assert!(events.iter().any(|event| event.name == "account"), "{mode:?}: account update");
    }
}
