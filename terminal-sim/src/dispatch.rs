//! The method table: every method the terminal answers, typed, built by walking the protocol registry so that a
//! new terminal-routed method cannot be forgotten (a test checks [`unhandled`] is empty).

use std::collections::HashMap;
use std::sync::OnceLock;

use metaapi_protocol::methods::*;
use metaapi_protocol::{ErrorKind, ErrorObject, Method, MethodVisitor, Route, decode_params, for_each_method};
use serde_json::Value;

use crate::terminal::Terminal;

/// A type-erased handler: decodes params, runs, encodes the result.
pub type Handler = fn(&mut Terminal, Value) -> Result<Value, ErrorObject>;

fn run<M: Method>(
    terminal: &mut Terminal,
    params: Value,
    typed: fn(&mut Terminal, M::Params) -> Result<M::Result, ErrorObject>,
) -> Result<Value, ErrorObject> {
    let params = decode_params::<M>(Some(params))?;
    let result = typed(terminal, params)?;
    serde_json::to_value(result).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))
}

macro_rules! handlers {
    ($($method:ty => $function:ident),* $(,)?) => {
        /// The typed handler of a method name, if the terminal implements it.
        fn implemented(name: &str) -> Option<Handler> {
            $(
                if name == <$method as Method>::NAME {
                    return Some(|terminal, params| run::<$method>(terminal, params, Terminal::$function));
                }
            )*
            None
        }
    };
}

handlers! {
    GetTerminalInfo => get_terminal_info,
    GetHealth => get_health,
    GetServerTime => get_server_time,
    GetAccountInfo => get_account_info,
    GetSymbols => get_symbols,
    GetSymbolSpec => get_symbol_spec,
    SelectSymbol => select_symbol,
    GetQuote => get_quote,
    GetQuotes => get_quotes,
    GetCandles => get_candles,
    GetTicks => get_ticks,
    GetBook => get_book,
    GetPositions => get_positions,
    GetPosition => get_position,
    GetOrders => get_orders,
    GetOrder => get_order,
    GetHistoryOrders => get_history_orders,
    GetHistoryDeals => get_history_deals,
    CalcMargin => calc_margin,
    CalcProfit => calc_profit,
    CheckOrder => check_order,
    PlaceOrder => place_order,
    ModifyPosition => modify_position,
    ClosePosition => close_position,
    ClosePositionBy => close_position_by,
    ClosePositions => close_positions,
    ModifyOrder => modify_order,
    CancelOrder => cancel_order,
}

struct Table {
    handlers: HashMap<&'static str, Handler>,
    unhandled: Vec<&'static str>,
}

impl MethodVisitor for Table {
    fn visit<M: Method>(&mut self) {
        if M::ROUTE != Route::Terminal {
            return;
        }
        match implemented(M::NAME) {
            Some(handler) => {
                self.handlers.insert(M::NAME, handler);
            }
            None => self.unhandled.push(M::NAME),
        }
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table { handlers: HashMap::new(), unhandled: Vec::new() };
        for_each_method(&mut table);
        table
    })
}

/// The handler of a terminal-routed method.
pub fn handler(name: &str) -> Option<Handler> {
    table().handlers.get(name).copied()
}

/// Terminal-routed methods of the registry that have no handler (empty when the simulator is complete).
pub fn unhandled() -> Vec<&'static str> {
    table().unhandled.clone()
}

/// Names of every method the terminal answers.
pub fn handled() -> Vec<&'static str> {
    let mut names: Vec<_> = table().handlers.keys().copied().collect();
    names.sort_unstable();
    names
}
