//! Helpers shared by the test areas.

use metaapi_protocol::methods::{PlaceOrderParams, TradeResult};
use metaapi_protocol::types::{OrderType, Side};
use metaapi_protocol::{ErrorKind, ErrorObject};
use metaapi_terminal_sim::{Mode, Terminal, TerminalConfig};

/// A terminal in `mode` with the default USD 10,000 account at 1:100 on a Monday morning.
pub fn terminal(mode: Mode) -> Terminal {
    Terminal::new(TerminalConfig::new(mode, 1))
}

/// Sets a quote, panicking on unknown symbols.
pub fn quote(terminal: &mut Terminal, symbol: &str, bid: f64, ask: f64) {
    terminal.set_quote(symbol, bid, ask).expect("known symbol");
}

/// A market order.
pub fn market(symbol: &str, side: Side, volume: f64) -> PlaceOrderParams {
    PlaceOrderParams::market(symbol, side, volume)
}

/// A pending order at `price`.
pub fn pending(symbol: &str, order_type: OrderType, volume: f64, price: f64) -> PlaceOrderParams {
    let mut params = PlaceOrderParams::market(symbol, order_type.side(), volume);
    params.order_type = order_type;
    params.price = Some(price);
    params
}

/// Places an order that must succeed.
pub fn place(terminal: &mut Terminal, params: PlaceOrderParams) -> TradeResult {
    terminal.place_order(params).expect("order accepted")
}

/// Asserts a trade rejection with `code` and `name`.
pub fn assert_rejected(result: Result<impl std::fmt::Debug, ErrorObject>, code: i32, name: &str) {
    let error = result.expect_err("must be rejected");
    assert_eq!(error.kind(), ErrorKind::TradeRejected, "{error:?}");
    let data = error.data.expect("data");
    assert_eq!(data.retcode, Some(code), "{}", error.message);
    assert_eq!(data.retcode_name.as_deref(), Some(name));
}

/// Asserts the typed unsupported error.
pub fn assert_unsupported(result: Result<impl std::fmt::Debug, ErrorObject>) {
    let error = result.expect_err("must be unsupported");
    assert_eq!(error.kind(), ErrorKind::Unsupported, "{error:?}");
}
