//! MQL4's trading built-ins over the engine: one pool of orders (open market orders are the positions), the
//! order selected by OrderSelect that every Order*() accessor reads, and the order functions' MQL4 error codes.

use metaapi_protocol::ErrorObject;
use metaapi_protocol::methods::{
    CancelOrderParams, ClosePositionByParams, ClosePositionParams, ModifyOrderParams, ModifyPositionParams,
    PlaceOrderParams,
};
use metaapi_protocol::types::{OrderType, Side, TimeInForce};

use super::consts::mt4 as k4;
use super::selection::Mt4Order;
use super::{Host, errors, server_seconds, utc_of_server_seconds};
use crate::engine::transactions::MtDealType;

/// OrderType() of a balance operation in the history pool.
const OP_BALANCE: i64 = 6;
/// MT4's history type of a credit operation.
const OP_CREDIT: i64 = 7;

fn op_of(order_type: OrderType) -> i64 {
    match order_type {
        OrderType::Buy => k4::OP_BUY,
        OrderType::Sell => k4::OP_SELL,
        OrderType::BuyLimit => k4::OP_BUYLIMIT,
        OrderType::SellLimit => k4::OP_SELLLIMIT,
        OrderType::BuyStop | OrderType::BuyStopLimit => k4::OP_BUYSTOP,
        OrderType::SellStop | OrderType::SellStopLimit => k4::OP_SELLSTOP,
        // MT4 records no close-by order: OrderCloseBy closes both trades, each keeping its own type.
        OrderType::CloseBy => k4::OP_BUY,
    }
}

fn order_type_of_op(op: i64) -> Option<OrderType> {
    Some(match op {
        k4::OP_BUY => OrderType::Buy,
        k4::OP_SELL => OrderType::Sell,
        k4::OP_BUYLIMIT => OrderType::BuyLimit,
        k4::OP_SELLLIMIT => OrderType::SellLimit,
        k4::OP_BUYSTOP => OrderType::BuyStop,
        k4::OP_SELLSTOP => OrderType::SellStop,
        _ => return None,
    })
}

impl Host {
    /// The open pool (market orders, then pending ones), oldest ticket first.
    fn mt4_open_pool(&self) -> Vec<Mt4Order> {
        let terminal = self.terminal();
        let mut pool: Vec<Mt4Order> = terminal
            .positions
            .iter()
            .map(|position| Mt4Order {
                ticket: position.ticket,
                op: if position.side == Side::Buy { k4::OP_BUY } else { k4::OP_SELL },
                magic: position.magic,
                open_time: server_seconds(position.time),
                close_time: 0,
                expiration: 0,
                lots: position.volume,
                open_price: position.price_open,
                close_price: terminal.close_price(&position.symbol, position.side),
                sl: position.sl.unwrap_or(0.0),
                tp: position.tp.unwrap_or(0.0),
                profit: terminal.position_profit(position),
                symbol: position.symbol.clone(),
                comment: position.comment.clone(),
            })
            .chain(terminal.orders.iter().map(|order| {
                let close_side = if order.order_type.side() == Side::Buy { Side::Sell } else { Side::Buy };
                Mt4Order {
                    ticket: order.ticket,
                    op: op_of(order.order_type),
                    magic: order.magic,
                    open_time: server_seconds(order.time_setup),
                    close_time: 0,
                    expiration: order.expiration.map_or(0, server_seconds),
                    lots: order.volume_current,
                    open_price: order.price_open,
                    close_price: terminal.close_price(&order.symbol, close_side),
                    sl: order.sl.unwrap_or(0.0),
                    tp: order.tp.unwrap_or(0.0),
                    profit: 0.0,
                    symbol: order.symbol.clone(),
                    comment: order.comment.clone(),
                }
            }))
            .collect();
        pool.sort_by_key(|order| order.ticket);
        pool
    }

    /// The history pool (balance operations, closed trades, deleted pending orders), by close time.
    fn mt4_history_pool(&self) -> Vec<Mt4Order> {
        let terminal = self.terminal();
        let balance = terminal.deals.iter().filter(|deal| deal.symbol.is_empty()).map(|deal| Mt4Order {
            ticket: deal.ticket,
            op: if deal.mt_type == MtDealType::Credit { OP_CREDIT } else { OP_BALANCE },
            magic: 0,
            open_time: server_seconds(deal.time),
            close_time: server_seconds(deal.time),
            expiration: 0,
            lots: 0.0,
            open_price: 0.0,
            close_price: 0.0,
            sl: 0.0,
            tp: 0.0,
            profit: deal.profit,
            symbol: String::new(),
            comment: deal.comment.clone(),
        });
        let trades = terminal.closed_trades.iter().map(|trade| Mt4Order {
            ticket: trade.ticket,
            op: if trade.side == Side::Buy { k4::OP_BUY } else { k4::OP_SELL },
            magic: trade.magic,
            open_time: server_seconds(trade.time_open),
            close_time: server_seconds(trade.time_close),
            expiration: 0,
            lots: trade.volume,
            open_price: trade.price_open,
            close_price: trade.price_close,
            sl: trade.sl.unwrap_or(0.0),
            tp: trade.tp.unwrap_or(0.0),
            profit: trade.profit,
            symbol: trade.symbol.clone(),
            comment: trade.comment.clone(),
        });
        let deleted = terminal.history_orders.iter().map(|order| Mt4Order {
            ticket: order.ticket,
            op: op_of(order.order_type),
            magic: order.magic,
            open_time: server_seconds(order.time_setup),
            close_time: order.time_done.map_or(0, server_seconds),
            expiration: order.expiration.map_or(0, server_seconds),
            lots: order.volume_current,
            open_price: order.price_open,
            close_price: order.price_open,
            sl: order.sl.unwrap_or(0.0),
            tp: order.tp.unwrap_or(0.0),
            profit: 0.0,
            symbol: order.symbol.clone(),
            comment: order.comment.clone(),
        });
        let mut pool: Vec<Mt4Order> = balance.chain(trades).chain(deleted).collect();
        pool.sort_by_key(|order| (order.close_time, order.ticket));
        pool
    }

    pub(crate) fn mt4_orders_total(&self) -> i32 {
        let terminal = self.terminal();
        (terminal.positions.len() + terminal.orders.len()) as i32
    }

    pub(crate) fn mt4_orders_history_total(&self) -> i32 {
        self.mt4_history_pool().len() as i32
    }

    /// OrderSelect(index, SELECT_BY_POS | SELECT_BY_TICKET, MODE_TRADES | MODE_HISTORY).
    pub(crate) fn mt4_order_select(&mut self, index: i64, select: i64, pool: i64) -> bool {
        let found = if select == k4::SELECT_BY_TICKET {
            let ticket = index as u64;
            self.mt4_open_pool()
                .into_iter()
                .find(|order| order.ticket == ticket)
                .or_else(|| self.mt4_history_pool().into_iter().find(|order| order.ticket == ticket))
        } else {
            let orders = if pool == k4::MODE_HISTORY { self.mt4_history_pool() } else { self.mt4_open_pool() };
            usize::try_from(index).ok().and_then(|index| orders.into_iter().nth(index))
        };
        let ok = found.is_some();
        self.mt4_selected = found;
        if !ok {
            let code =
                if select == k4::SELECT_BY_TICKET { errors::MT4_INVALID_TICKET } else { errors::MT4_NO_ORDER_SELECTED };
            self.last_error = code;
        }
        ok
    }

    pub(crate) fn mt4_selected(&mut self) -> Option<Mt4Order> {
        match self.mt4_selected.clone() {
            Some(order) => Some(order),
            None => self.fail(errors::MT4_NO_ORDER_SELECTED, None),
        }
    }

    pub(crate) fn mt4_order_integer(&mut self, prop: i64) -> Option<i64> {
        let order = self.mt4_selected()?;
        Some(match prop {
            0 => order.ticket as i64,
            1 => order.op,
            2 => order.magic,
            3 => order.open_time,
            4 => order.close_time,
            5 => order.expiration,
            _ => return self.fail(errors::MT4_INVALID_FUNCTION_PARAMVALUE, None),
        })
    }

    pub(crate) fn mt4_order_double(&mut self, prop: i64) -> Option<f64> {
        let order = self.mt4_selected()?;
        Some(match prop {
            10 => order.lots,
            11 => order.open_price,
            12 => order.close_price,
            13 => order.sl,
            14 => order.tp,
            15 | 16 => 0.0,
            17 => order.profit,
            _ => return self.fail(errors::MT4_INVALID_FUNCTION_PARAMVALUE, None),
        })
    }

    pub(crate) fn mt4_order_string(&mut self, prop: i64) -> Option<String> {
        let order = self.mt4_selected()?;
        Some(match prop {
            20 => order.symbol,
            21 => order.comment,
            _ => return self.fail(errors::MT4_INVALID_FUNCTION_PARAMVALUE, None),
        })
    }

    /// The MQL4 error of a refused trading call: the server's code, or a bad ticket or parameter.
    fn mt4_refused(&mut self, error: &ErrorObject) {
        let code = match error.data.as_ref().and_then(|data| data.retcode) {
            Some(code) => code,
            None if error.kind() == metaapi_protocol::ErrorKind::NotFound => errors::MT4_INVALID_TICKET,
            None => errors::MT4_COMMON_ERROR,
        };
        self.last_error = code;
    }

    /// OrderSend (MQL4): the ticket, or -1 with the error.
    // The arguments are MQL4's OrderSend parameters, one for one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn mt4_order_send(
        &mut self,
        symbol: &str,
        cmd: i64,
        volume: f64,
        price: f64,
        slippage: i32,
        stoploss: f64,
        takeprofit: f64,
        comment: &str,
        magic: i64,
        expiration: i64,
    ) -> i32 {
        let Some(order_type) = order_type_of_op(cmd) else {
            return self.fail(errors::MT4_INVALID_FUNCTION_PARAMVALUE, -1);
        };
        if self.terminal().market_index(symbol).is_err() {
            return self.unknown_symbol(-1);
        }
        let mut params = PlaceOrderParams::market(symbol, order_type.side(), volume);
        params.order_type = order_type;
        params.price = (price > 0.0).then_some(price);
        params.sl = (stoploss > 0.0).then_some(stoploss);
        params.tp = (takeprofit > 0.0).then_some(takeprofit);
        params.deviation_points = Some(slippage.max(0) as u32);
        params.magic = Some(magic);
        params.comment = (!comment.is_empty()).then(|| comment.to_owned());
        if expiration > 0 {
            params.time_in_force = TimeInForce::Specified;
            params.expiration = Some(utc_of_server_seconds(expiration));
        }
        let outcome = self.terminal().send_to_server(|terminal| terminal.place_order(params));
        match outcome {
            Ok(result) => result.order.as_deref().and_then(|ticket| ticket.parse().ok()).unwrap_or(-1),
            Err(error) => {
                self.mt4_refused(&error);
                -1
            }
        }
    }

    fn mt4_outcome<T>(&mut self, outcome: Result<T, ErrorObject>) -> bool {
        match outcome {
            Ok(_) => true,
            Err(error) => {
                self.mt4_refused(&error);
                false
            }
        }
    }

    pub(crate) fn mt4_order_close(&mut self, ticket: i64, lots: f64, slippage: i32) -> bool {
        let params = ClosePositionParams {
            client_id: None,
            ticket: ticket.to_string(),
            volume: (lots > 0.0).then_some(lots),
            deviation_points: Some(slippage.max(0) as u32),
        };
        let outcome = self.terminal().send_to_server(|terminal| terminal.close_position(params));
        self.mt4_outcome(outcome)
    }

    pub(crate) fn mt4_order_close_by(&mut self, ticket: i64, opposite: i64) -> bool {
        let params = ClosePositionByParams {
            client_id: None,
            ticket: ticket.to_string(),
            opposite_ticket: opposite.to_string(),
        };
        let outcome = self.terminal().send_to_server(|terminal| terminal.close_position_by(params));
        self.mt4_outcome(outcome)
    }

    /// OrderModify: stops of a market order, or price, stops and expiration of a pending one.
    pub(crate) fn mt4_order_modify(
        &mut self,
        ticket: i64,
        price: f64,
        stoploss: f64,
        takeprofit: f64,
        expiration: i64,
    ) -> bool {
        let is_position = self.terminal().positions.iter().any(|position| position.ticket as i64 == ticket);
        let outcome = if is_position {
            let params = ModifyPositionParams {
                client_id: None,
                ticket: ticket.to_string(),
                sl: Some(stoploss),
                tp: Some(takeprofit),
            };
            self.terminal().send_to_server(|terminal| terminal.modify_position(params))
        } else {
            let params = ModifyOrderParams {
                client_id: None,
                ticket: ticket.to_string(),
                price: (price > 0.0).then_some(price),
                stop_limit_price: None,
                sl: Some(stoploss),
                tp: Some(takeprofit),
                time_in_force: Some(if expiration > 0 { TimeInForce::Specified } else { TimeInForce::Gtc }),
                expiration: (expiration > 0).then(|| utc_of_server_seconds(expiration)),
            };
            self.terminal().send_to_server(|terminal| terminal.modify_order(params))
        };
        self.mt4_outcome(outcome)
    }

    pub(crate) fn mt4_order_delete(&mut self, ticket: i64) -> bool {
        let params = CancelOrderParams { client_id: None, ticket: ticket.to_string() };
        let outcome = self.terminal().send_to_server(|terminal| terminal.cancel_order(params));
        self.mt4_outcome(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_support::host;
    use crate::mode::Mode;

    #[test]
    fn the_selected_order_is_what_the_accessors_read_in_both_pools() {
        let mut host = host(Mode::Mt4, "EURUSD");
        let ask = host.market_info("EURUSD", k4::MODE_ASK).expect("ask");
        let ticket = host.mt4_order_send("EURUSD", k4::OP_BUY, 0.2, ask, 10, 0.0, 0.0, "mine", 5, 0);
        assert!(ticket > 0, "error {}", host.last_error);
        assert_eq!(host.mt4_orders_total(), 1);
        assert!(host.mt4_order_select(0, k4::SELECT_BY_POS, k4::MODE_TRADES));
        assert_eq!(host.mt4_order_integer(0), Some(i64::from(ticket)));
        assert_eq!(host.mt4_order_integer(1), Some(k4::OP_BUY));
        assert_eq!(host.mt4_order_double(10), Some(0.2));
        assert_eq!(host.mt4_order_string(21).as_deref(), Some("mine"));
        assert!(host.mt4_order_close(i64::from(ticket), 0.2, 10));
        // The selection is a copy: it still reads the open order until the next OrderSelect.
        assert_eq!(host.mt4_order_integer(4), Some(0));
        assert!(host.mt4_order_select(i64::from(ticket), k4::SELECT_BY_TICKET, k4::MODE_TRADES));
        assert!(host.mt4_order_integer(4).is_some_and(|close| close > 0), "found in history by ticket");
        let history = host.mt4_orders_history_total();
        assert_eq!(history, 2, "the deposit and the closed trade");
        assert!(host.mt4_order_select(0, k4::SELECT_BY_POS, k4::MODE_HISTORY));
        assert_eq!(host.mt4_order_integer(1), Some(OP_BALANCE));
        assert!(!host.mt4_order_select(99_999, k4::SELECT_BY_TICKET, k4::MODE_TRADES));
        assert_eq!(host.last_error, errors::MT4_INVALID_TICKET);
        assert_eq!(host.mt4_order_integer(0), None);
        assert_eq!(host.last_error, errors::MT4_NO_ORDER_SELECTED);
    }

    #[test]
    fn broker_faults_and_a_lost_connection_set_mql4_codes_on_every_order_function() {
        use crate::engine::broker::TradeFault;
        let mut host = host(Mode::Mt4, "EURUSD");
        let ask = host.market_info("EURUSD", k4::MODE_ASK).expect("ask");
        host.terminal().inject_trade_faults(TradeFault { retcode: 128, executed: true }, 1);
        assert_eq!(host.mt4_order_send("EURUSD", k4::OP_BUY, 0.1, ask, 10, 0.0, 0.0, "cid:x", 0, 0), -1);
        assert_eq!(host.last_error, 128, "ERR_TRADE_TIMEOUT");
        assert_eq!(host.mt4_orders_total(), 1, "the server opened it anyway");
        assert!(host.mt4_order_select(0, k4::SELECT_BY_POS, k4::MODE_TRADES));
        let ticket = host.mt4_order_integer(0).expect("ticket");
        host.terminal().inject_trade_faults(TradeFault { retcode: 128, executed: false }, 1);
        assert!(!host.mt4_order_close(ticket, 0.1, 10));
        assert_eq!(host.last_error, 128);
        assert_eq!(host.mt4_orders_total(), 1, "the close never reached the server");
        host.terminal().set_broker_connected(false);
        assert!(!host.mt4_order_modify(ticket, 0.0, ask - 0.01, 0.0, 0));
        assert_eq!(host.last_error, 6, "ERR_NO_CONNECTION");
        assert!(!host.mt4_order_close(ticket, 0.1, 10));
        assert_eq!(host.last_error, 6);
        host.terminal().set_broker_connected(true);
        assert!(host.mt4_order_close(ticket, 0.1, 10), "error {}", host.last_error);
    }

    #[test]
    fn mql4_refusals_set_mql4_codes() {
        let mut host = host(Mode::Mt4, "EURUSD");
        assert_eq!(host.mt4_order_send("NOPE", k4::OP_BUY, 0.1, 1.0, 10, 0.0, 0.0, "", 0, 0), -1);
        assert_eq!(host.last_error, errors::MT4_UNKNOWN_SYMBOL);
        let ask = host.market_info("EURUSD", k4::MODE_ASK).expect("ask");
        assert_eq!(host.mt4_order_send("EURUSD", k4::OP_BUY, 500.0, ask, 10, 0.0, 0.0, "", 0, 0), -1);
        assert!(host.last_error > 0 && host.last_error < 4000, "a server code: {}", host.last_error);
        let ticket = host.mt4_order_send("EURUSD", k4::OP_BUY, 0.1, ask, 10, 0.0, 0.0, "", 0, 0);
        assert!(!host.mt4_order_modify(i64::from(ticket), 0.0, 0.0, 0.0, 0));
        assert_eq!(host.last_error, errors::MT4_NO_RESULT, "nothing changed");
        assert!(!host.mt4_order_delete(12_345));
        assert_eq!(host.last_error, errors::MT4_INVALID_TICKET);
    }
}
