//! MQL5 trading built-ins over the engine: OrderSend, OrderCheck, OrderCalcMargin, OrderCalcProfit, and the
//! position, order and history families, each reading the entry selected last as MetaTrader does.

use metaapi_protocol::ErrorObject;
use metaapi_protocol::methods::{
    CalcMarginParams, CalcProfitParams, CancelOrderParams, ClosePositionByParams, ClosePositionParams, DealEntry,
    ModifyOrderParams, ModifyPositionParams, OrderState, PlaceOrderParams, TradeResult,
};
use metaapi_protocol::types::{Filling, OrderType, Reason, Side, TimeInForce};

use super::consts::mt5 as k;
use super::ffi::{MQL_HOST_COMMENT_CAP, MqlHostTradeCheckResult, MqlHostTradeResult};
use super::selection::{OrderSnapshot, PositionSnapshot};
use super::trade_request::{RequestRecord, TradeRequest};
use super::{Host, errors, server_ms, server_seconds, utc_of_server_seconds};
use crate::engine::records::OrderRec;
use crate::engine::transactions::Transaction;
use crate::terminal::Terminal;

pub(crate) fn order_type_of(code: i64) -> Option<OrderType> {
    Some(match code {
        k::ORDER_TYPE_BUY => OrderType::Buy,
        k::ORDER_TYPE_SELL => OrderType::Sell,
        k::ORDER_TYPE_BUY_LIMIT => OrderType::BuyLimit,
        k::ORDER_TYPE_SELL_LIMIT => OrderType::SellLimit,
        k::ORDER_TYPE_BUY_STOP => OrderType::BuyStop,
        k::ORDER_TYPE_SELL_STOP => OrderType::SellStop,
        k::ORDER_TYPE_BUY_STOP_LIMIT => OrderType::BuyStopLimit,
        k::ORDER_TYPE_SELL_STOP_LIMIT => OrderType::SellStopLimit,
        _ => return None,
    })
}

pub(crate) fn order_type_code(order_type: OrderType) -> i64 {
    match order_type {
        OrderType::Buy => k::ORDER_TYPE_BUY,
        OrderType::Sell => k::ORDER_TYPE_SELL,
        OrderType::BuyLimit => k::ORDER_TYPE_BUY_LIMIT,
        OrderType::SellLimit => k::ORDER_TYPE_SELL_LIMIT,
        OrderType::BuyStop => k::ORDER_TYPE_BUY_STOP,
        OrderType::SellStop => k::ORDER_TYPE_SELL_STOP,
        OrderType::BuyStopLimit => k::ORDER_TYPE_BUY_STOP_LIMIT,
        OrderType::SellStopLimit => k::ORDER_TYPE_SELL_STOP_LIMIT,
        OrderType::CloseBy => k::ORDER_TYPE_CLOSE_BY,
    }
}

pub(crate) fn order_state_code(state: OrderState) -> i64 {
    match state {
        OrderState::Started => k::ORDER_STATE_STARTED,
        OrderState::Placed => k::ORDER_STATE_PLACED,
        OrderState::Canceled => k::ORDER_STATE_CANCELED,
        OrderState::Partial => k::ORDER_STATE_PARTIAL,
        OrderState::Filled => k::ORDER_STATE_FILLED,
        OrderState::Rejected => k::ORDER_STATE_REJECTED,
        OrderState::Expired => k::ORDER_STATE_EXPIRED,
    }
}

pub(super) fn filling_of(code: i64) -> Filling {
    match code {
        k::ORDER_FILLING_FOK => Filling::Fok,
        k::ORDER_FILLING_IOC => Filling::Ioc,
        k::ORDER_FILLING_RETURN => Filling::Return,
        k::ORDER_FILLING_BOC => Filling::Boc,
        _ => Filling::Auto,
    }
}

pub(crate) fn filling_code(filling: Filling) -> i64 {
    match filling {
        Filling::Fok | Filling::Auto => k::ORDER_FILLING_FOK,
        Filling::Ioc => k::ORDER_FILLING_IOC,
        Filling::Return => k::ORDER_FILLING_RETURN,
        Filling::Boc => k::ORDER_FILLING_BOC,
    }
}

pub(super) fn time_in_force_of(code: i64) -> TimeInForce {
    match code {
        k::ORDER_TIME_DAY => TimeInForce::Day,
        k::ORDER_TIME_SPECIFIED => TimeInForce::Specified,
        k::ORDER_TIME_SPECIFIED_DAY => TimeInForce::SpecifiedDay,
        _ => TimeInForce::Gtc,
    }
}

pub(crate) fn time_in_force_code(time_in_force: TimeInForce) -> i64 {
    match time_in_force {
        TimeInForce::Gtc => k::ORDER_TIME_GTC,
        TimeInForce::Day => k::ORDER_TIME_DAY,
        TimeInForce::Specified => k::ORDER_TIME_SPECIFIED,
        TimeInForce::SpecifiedDay => k::ORDER_TIME_SPECIFIED_DAY,
    }
}

/// ENUM_ORDER_REASON, ENUM_POSITION_REASON and ENUM_DEAL_REASON share their first values.
pub(crate) fn reason_code(reason: Reason) -> i64 {
    match reason {
        Reason::Client => k::DEAL_REASON_CLIENT,
        Reason::Mobile => k::DEAL_REASON_MOBILE,
        Reason::Web => k::DEAL_REASON_WEB,
        Reason::Expert => k::DEAL_REASON_EXPERT,
        Reason::Sl => k::DEAL_REASON_SL,
        Reason::Tp => k::DEAL_REASON_TP,
        Reason::StopOut => k::DEAL_REASON_SO,
        _ => k::DEAL_REASON_CLIENT,
    }
}

pub(super) fn entry_code(entry: DealEntry) -> i64 {
    match entry {
        DealEntry::In => k::DEAL_ENTRY_IN,
        DealEntry::Out => k::DEAL_ENTRY_OUT,
        DealEntry::Inout => k::DEAL_ENTRY_INOUT,
        DealEntry::OutBy => k::DEAL_ENTRY_OUT_BY,
    }
}

pub(crate) fn put_comment(text: &str, buf: &mut [u16; MQL_HOST_COMMENT_CAP]) -> i32 {
    let units: Vec<u16> = text.encode_utf16().take(MQL_HOST_COMMENT_CAP).collect();
    buf[..units.len()].copy_from_slice(&units);
    units.len() as i32
}

pub(super) fn positive(value: f64) -> Option<f64> {
    (value > 0.0).then_some(value)
}

/// Runs a request on the trade server (the engine); the protocol call's error carries the MT retcode when the
/// server refused.
fn execute(terminal: &mut Terminal, request: &TradeRequest) -> Result<TradeResult, ErrorObject> {
    let ticket = |value: u64| value.to_string();
    let deviation = Some(u32::try_from(request.deviation).unwrap_or(u32::MAX));
    match request.action {
        k::TRADE_ACTION_DEAL if request.position > 0 => terminal.close_position_commented(
            ClosePositionParams {
                client_id: None,
                ticket: ticket(request.position),
                volume: positive(request.volume),
                deviation_points: deviation,
            },
            Some(request.comment.as_str()).filter(|comment| !comment.is_empty()),
        ),
        k::TRADE_ACTION_DEAL | k::TRADE_ACTION_PENDING => {
            let order_type = order_type_of(request.order_type)
                .filter(|order_type| order_type.is_market() == (request.action == k::TRADE_ACTION_DEAL))
                .ok_or_else(|| ErrorObject::new(metaapi_protocol::ErrorKind::InvalidParams, "Invalid request"))?;
            let mut params = PlaceOrderParams::market(&request.symbol, order_type.side(), request.volume);
            params.order_type = order_type;
            params.price = positive(request.price);
            params.stop_limit_price = positive(request.stoplimit);
            params.sl = positive(request.sl);
            params.tp = positive(request.tp);
            params.deviation_points = deviation;
            params.filling = filling_of(request.type_filling);
            params.time_in_force = time_in_force_of(request.type_time);
            params.expiration = (request.expiration > 0).then(|| utc_of_server_seconds(request.expiration));
            params.magic = Some(request.magic as i64);
            params.comment = (!request.comment.is_empty()).then(|| request.comment.clone());
            terminal.place_order(params)
        }
        // MQL's 0 removes a stop; the engine reads Some(0.0) the same way.
        k::TRADE_ACTION_SLTP => terminal.modify_position(ModifyPositionParams {
            client_id: None,
            ticket: ticket(request.position),
            sl: Some(request.sl),
            tp: Some(request.tp),
        }),
        k::TRADE_ACTION_MODIFY => terminal.modify_order(ModifyOrderParams {
            client_id: None,
            ticket: ticket(request.order),
            price: positive(request.price),
            stop_limit_price: positive(request.stoplimit),
            sl: Some(request.sl),
            tp: Some(request.tp),
            time_in_force: Some(time_in_force_of(request.type_time)),
            expiration: (request.expiration > 0).then(|| utc_of_server_seconds(request.expiration)),
        }),
        k::TRADE_ACTION_REMOVE => {
            terminal.cancel_order(CancelOrderParams { client_id: None, ticket: ticket(request.order) })
        }
        k::TRADE_ACTION_CLOSE_BY => terminal.close_by_with_order(
            ClosePositionByParams {
                client_id: None,
                ticket: ticket(request.position),
                opposite_ticket: ticket(request.position_by),
            },
            &request.comment,
        ),
        _ => Err(ErrorObject::new(metaapi_protocol::ErrorKind::InvalidParams, "Invalid request")),
    }
}

impl Host {
    /// OrderSend: true when the server executed or placed the request; the result carries the retcode either way,
    /// and the request's transactions are queued for OnTradeTransaction.
    pub(crate) fn order_send(&mut self, request: &TradeRequest) -> (bool, MqlHostTradeResult) {
        // Transactions of the feed before this request are the server's own, not this request's.
        let before = self.terminal().take_transactions();
        if self.wants_transactions {
            self.server_transactions.extend(before);
        }
        let mut result = MqlHostTradeResult::default();
        let outcome = self.terminal().send_to_server(|terminal| execute(terminal, request));
        let ok = match &outcome {
            Ok(done) => {
                result.retcode = done.retcode as u32;
                result.order = done.order.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
                result.deal = done.deal.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
                result.volume = done.volume;
                result.price = done.price;
                result.bid = done.bid.unwrap_or(0.0);
                result.ask = done.ask.unwrap_or(0.0);
                result.comment_len = put_comment(&done.comment, &mut result.comment);
                true
            }
            Err(error) => {
                // A refusal without a server retcode is an invalid request (TRADE_RETCODE_INVALID).
                let retcode = error.data.as_ref().and_then(|data| data.retcode).unwrap_or(10013);
                result.retcode = retcode as u32;
                result.comment_len = put_comment(&error.message, &mut result.comment);
                false
            }
        };
        let mut transactions = self.terminal().take_transactions();
        if self.wants_transactions {
            transactions.push(Transaction::request());
            self.requests.push(RequestRecord { transactions, request: request.clone(), result });
        }
        if !ok {
            self.last_error = errors::TRADE_SEND_FAILED;
        }
        (ok, result)
    }

    /// OrderCheck: the engine's checks without executing; false with the retcode when the request would fail.
    pub(crate) fn order_check(&mut self, request: &TradeRequest) -> (bool, MqlHostTradeCheckResult) {
        let mut check = MqlHostTradeCheckResult {
            retcode: 0,
            balance: 0.0,
            equity: 0.0,
            profit: 0.0,
            margin: 0.0,
            margin_free: 0.0,
            margin_level: 0.0,
            comment_len: 0,
            comment: [0; MQL_HOST_COMMENT_CAP],
        };
        let Some(order_type) = order_type_of(request.order_type) else {
            check.retcode = 10013;
            return (self.fail(errors::INVALID_PARAMETER, false), check);
        };
        let mut params = PlaceOrderParams::market(&request.symbol, order_type.side(), request.volume);
        params.order_type = order_type;
        params.price = positive(request.price);
        params.stop_limit_price = positive(request.stoplimit);
        params.sl = positive(request.sl);
        params.tp = positive(request.tp);
        params.filling = filling_of(request.type_filling);
        params.time_in_force = time_in_force_of(request.type_time);
        let outcome = self.terminal().check_order(params);
        match outcome {
            Ok(checked) => {
                check.retcode = checked.retcode as u32;
                check.balance = checked.balance;
                check.equity = checked.equity;
                check.profit = checked.profit;
                check.margin = checked.margin;
                check.margin_free = checked.free_margin;
                check.margin_level = checked.margin_level.unwrap_or(0.0);
                check.comment_len = put_comment(&checked.comment, &mut check.comment);
                (checked.retcode == 0, check)
            }
            Err(error) => {
                check.retcode = error.data.as_ref().and_then(|data| data.retcode).unwrap_or(10013) as u32;
                check.comment_len = put_comment(&error.message, &mut check.comment);
                (self.fail(errors::INVALID_PARAMETER, false), check)
            }
        }
    }

    pub(crate) fn order_calc_margin(&mut self, order_type: i64, symbol: &str, volume: f64, price: f64) -> Option<f64> {
        let Some(order_type) = order_type_of(order_type) else {
            return self.fail(errors::INVALID_PARAMETER, None);
        };
        let params =
            CalcMarginParams { symbol: symbol.to_owned(), side: order_type.side(), volume, price: positive(price) };
        let outcome = self.terminal().calc_margin(params);
        match outcome {
            Ok(estimate) => Some(estimate.margin),
            Err(_) => self.unknown_symbol(None),
        }
    }

    pub(crate) fn order_calc_profit(
        &mut self,
        order_type: i64,
        symbol: &str,
        volume: f64,
        price_open: f64,
        price_close: f64,
    ) -> Option<f64> {
        let Some(order_type) = order_type_of(order_type) else {
            return self.fail(errors::INVALID_PARAMETER, None);
        };
        let params =
            CalcProfitParams { symbol: symbol.to_owned(), side: order_type.side(), volume, price_open, price_close };
        let outcome = self.terminal().calc_profit(params);
        match outcome {
            Ok(estimate) => Some(estimate.profit),
            Err(_) => self.unknown_symbol(None),
        }
    }

    // ---- positions ----

    pub(crate) fn positions_total(&self) -> i32 {
        self.terminal().positions.len() as i32
    }

    fn select_position_where(
        &mut self,
        pick: impl Fn(&[crate::engine::records::PositionRec]) -> Option<usize>,
    ) -> bool {
        let terminal = self.terminal();
        let snapshot = pick(&terminal.positions).map(|index| {
            let record = terminal.positions[index].clone();
            PositionSnapshot {
                price_current: terminal.close_price(&record.symbol, record.side),
                profit: terminal.position_profit(&record),
                record,
            }
        });
        drop(terminal);
        let found = snapshot.is_some();
        self.position = snapshot;
        if !found {
            self.last_error = errors::TRADE_POSITION_NOT_FOUND;
        }
        found
    }

    pub(crate) fn position_get_ticket(&mut self, index: i32) -> u64 {
        let index = usize::try_from(index).ok();
        if self.select_position_where(|positions| index.filter(|index| *index < positions.len())) {
            self.position.as_ref().map_or(0, |snapshot| snapshot.record.ticket)
        } else {
            0
        }
    }

    pub(crate) fn position_select_by_ticket(&mut self, ticket: u64) -> bool {
        self.select_position_where(|positions| positions.iter().position(|position| position.ticket == ticket))
    }

    pub(crate) fn position_get_integer(&mut self, prop: i64) -> Option<i64> {
        let Some(snapshot) = &self.position else { return self.fail(errors::TRADE_POSITION_NOT_FOUND, None) };
        let position = &snapshot.record;
        Some(match prop {
            k::POSITION_TICKET | k::POSITION_IDENTIFIER => position.ticket as i64,
            k::POSITION_TIME => server_seconds(position.time),
            k::POSITION_TIME_MSC => server_ms(position.time),
            k::POSITION_TIME_UPDATE => server_seconds(position.update_time),
            k::POSITION_TIME_UPDATE_MSC => server_ms(position.update_time),
            k::POSITION_TYPE => {
                if position.side == Side::Buy {
                    k::POSITION_TYPE_BUY
                } else {
                    k::POSITION_TYPE_SELL
                }
            }
            k::POSITION_MAGIC => position.magic,
            k::POSITION_REASON => reason_code(position.reason),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    pub(crate) fn position_get_double(&mut self, prop: i64) -> Option<f64> {
        let Some(snapshot) = &self.position else { return self.fail(errors::TRADE_POSITION_NOT_FOUND, None) };
        let position = &snapshot.record;
        Some(match prop {
            k::POSITION_VOLUME => position.volume,
            k::POSITION_PRICE_OPEN => position.price_open,
            k::POSITION_PRICE_CURRENT => snapshot.price_current,
            k::POSITION_SL => position.sl.unwrap_or(0.0),
            k::POSITION_TP => position.tp.unwrap_or(0.0),
            k::POSITION_SWAP => 0.0,
            k::POSITION_PROFIT => snapshot.profit,
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    pub(crate) fn position_get_string(&mut self, prop: i64) -> Option<String> {
        let Some(snapshot) = &self.position else { return self.fail(errors::TRADE_POSITION_NOT_FOUND, None) };
        Some(match prop {
            k::POSITION_SYMBOL => snapshot.record.symbol.clone(),
            k::POSITION_COMMENT => snapshot.record.comment.clone(),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    // ---- pending orders ----

    pub(crate) fn orders_total(&self) -> i32 {
        self.terminal().orders.len() as i32
    }

    fn select_order_where(&mut self, pick: impl Fn(&[OrderRec]) -> Option<usize>) -> bool {
        let terminal = self.terminal();
        let snapshot = pick(&terminal.orders).map(|index| {
            let record = terminal.orders[index].clone();
            let close_side = if record.order_type.side() == Side::Buy { Side::Sell } else { Side::Buy };
            OrderSnapshot { price_current: terminal.close_price(&record.symbol, close_side), record }
        });
        drop(terminal);
        let found = snapshot.is_some();
        self.order = snapshot;
        if !found {
            self.last_error = errors::TRADE_ORDER_NOT_FOUND;
        }
        found
    }

    pub(crate) fn order_get_ticket(&mut self, index: i32) -> u64 {
        let index = usize::try_from(index).ok();
        if self.select_order_where(|orders| index.filter(|index| *index < orders.len())) {
            self.order.as_ref().map_or(0, |snapshot| snapshot.record.ticket)
        } else {
            0
        }
    }

    pub(crate) fn order_select(&mut self, ticket: u64) -> bool {
        self.select_order_where(|orders| orders.iter().position(|order| order.ticket == ticket))
    }

    pub(crate) fn order_get_integer(&mut self, prop: i64) -> Option<i64> {
        let Some(snapshot) = self.order.clone() else { return self.fail(errors::TRADE_ORDER_NOT_FOUND, None) };
        self.order_integer(&snapshot.record, prop)
    }

    pub(crate) fn order_get_double(&mut self, prop: i64) -> Option<f64> {
        let Some(snapshot) = self.order.clone() else { return self.fail(errors::TRADE_ORDER_NOT_FOUND, None) };
        self.order_double(&snapshot.record, snapshot.price_current, prop)
    }

    pub(crate) fn order_get_string(&mut self, prop: i64) -> Option<String> {
        let Some(snapshot) = self.order.clone() else { return self.fail(errors::TRADE_ORDER_NOT_FOUND, None) };
        self.order_string(&snapshot.record, prop)
    }

    pub(super) fn order_integer(&mut self, order: &OrderRec, prop: i64) -> Option<i64> {
        Some(match prop {
            k::ORDER_TICKET => order.ticket as i64,
            k::ORDER_TIME_SETUP => server_seconds(order.time_setup),
            k::ORDER_TIME_SETUP_MSC => server_ms(order.time_setup),
            k::ORDER_TIME_DONE => order.time_done.map_or(0, server_seconds),
            k::ORDER_TIME_DONE_MSC => order.time_done.map_or(0, server_ms),
            k::ORDER_TIME_EXPIRATION => order.expiration.map_or(0, server_seconds),
            k::ORDER_TYPE => order_type_code(order.order_type),
            k::ORDER_TYPE_FILLING => filling_code(order.filling),
            k::ORDER_TYPE_TIME => time_in_force_code(order.time_in_force),
            k::ORDER_STATE => order_state_code(order.state),
            k::ORDER_MAGIC => order.magic,
            k::ORDER_POSITION_ID => order.position_id.map_or(0, |id| id as i64),
            k::ORDER_POSITION_BY_ID => self.terminal().position_by_of(order).map_or(0, |id| id as i64),
            k::ORDER_REASON => reason_code(order.reason),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    pub(super) fn order_double(&mut self, order: &OrderRec, price_current: f64, prop: i64) -> Option<f64> {
        Some(match prop {
            k::ORDER_VOLUME_INITIAL => order.volume_initial,
            k::ORDER_VOLUME_CURRENT => order.volume_current,
            k::ORDER_PRICE_OPEN => order.price_open,
            k::ORDER_PRICE_CURRENT => price_current,
            k::ORDER_PRICE_STOPLIMIT => order.price_stop_limit.unwrap_or(0.0),
            k::ORDER_SL => order.sl.unwrap_or(0.0),
            k::ORDER_TP => order.tp.unwrap_or(0.0),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    pub(super) fn order_string(&mut self, order: &OrderRec, prop: i64) -> Option<String> {
        Some(match prop {
            k::ORDER_SYMBOL => order.symbol.clone(),
            k::ORDER_COMMENT => order.comment.clone(),
            k::ORDER_EXTERNAL_ID => String::new(),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::transactions::TransactionType;
    use crate::host::test_support::host;
    use crate::mode::Mode;

    fn buy(volume: f64) -> TradeRequest {
        TradeRequest {
            action: k::TRADE_ACTION_DEAL,
            symbol: "EURUSD".into(),
            volume,
            order_type: k::ORDER_TYPE_BUY,
            deviation: 10,
            magic: 7,
            ..TradeRequest::default()
        }
    }

    #[test]
    fn order_send_opens_a_position_the_position_family_reads_and_history_keeps_the_deal() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        let (ok, result) = host.order_send(&buy(0.3));
        assert!(ok);
        assert_eq!(result.retcode as i64, k::TRADE_RETCODE_DONE);
        assert_ne!(result.deal, 0);
        let record = host.take_requests().pop().expect("the request's transactions");
        let kinds: Vec<_> = record.transactions.iter().map(|transaction| transaction.kind).collect();
        use TransactionType::*;
        assert_eq!(kinds, [OrderAdd, DealAdd, OrderDelete, HistoryAdd, Request]);
        assert_eq!(host.positions_total(), 1);
        let ticket = host.position_get_ticket(0);
        assert_eq!(ticket, result.order, "a position's ticket is its opening order's");
        assert_eq!(host.position_get_integer(k::POSITION_IDENTIFIER), Some(ticket as i64));
        assert_eq!(host.position_get_integer(k::POSITION_MAGIC), Some(7));
        assert_eq!(host.position_get_double(k::POSITION_VOLUME), Some(0.3));
        assert_eq!(host.position_get_string(k::POSITION_SYMBOL).as_deref(), Some("EURUSD"));
        assert!(!host.position_select_by_ticket(1));
        assert_eq!(host.last_error, errors::TRADE_POSITION_NOT_FOUND);
        assert_eq!(host.position_get_double(k::POSITION_VOLUME), None, "nothing selected after a failed select");
        assert!(host.history_select_by_position(ticket));
        assert_eq!(host.history_deal_get_ticket(0), result.deal);
        assert_eq!(host.history_deal_get_integer(result.deal, k::DEAL_TYPE), Some(k::DEAL_TYPE_BUY));
        assert_eq!(host.history_deal_get_integer(result.deal, k::DEAL_ENTRY), Some(k::DEAL_ENTRY_IN));
        assert_eq!(host.history_deal_get_integer(1, k::DEAL_TYPE), None, "only selected deals are readable");
        assert_eq!(host.last_error, errors::TRADE_DEAL_NOT_FOUND);
    }

    #[test]
    fn order_send_refusals_carry_the_retcode_and_set_4756() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        let (ok, result) = host.order_send(&buy(1_000.0));
        assert!(!ok);
        assert_ne!(result.retcode as i64, k::TRADE_RETCODE_DONE);
        assert_eq!(host.last_error, errors::TRADE_SEND_FAILED);
        let mut close = buy(0.1);
        close.position = 424_242;
        assert!(!host.order_send(&close).0);
    }

    #[test]
    fn order_send_answers_a_broker_fault_with_its_retcode_whether_or_not_the_server_ran_it() {
        use crate::engine::broker::TradeFault;
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        host.terminal().inject_trade_faults(TradeFault { retcode: 10012, executed: true }, 1);
        host.terminal().inject_trade_faults(TradeFault { retcode: 10012, executed: false }, 1);
        let (ok, result) = host.order_send(&buy(0.1));
        assert!(!ok);
        assert_eq!(result.retcode, 10012);
        assert_eq!((result.order, result.deal), (0, 0), "the terminal never learned the tickets");
        assert_eq!(host.last_error, errors::TRADE_SEND_FAILED);
        assert_eq!(host.positions_total(), 1, "it ran on the server");
        let (ok, result) = host.order_send(&buy(0.1));
        assert!(!ok);
        assert_eq!(result.retcode, 10012);
        assert_eq!(host.positions_total(), 1, "the second never reached it");
    }

    #[test]
    fn a_disconnected_terminal_refuses_order_send_with_10031_and_reports_it() {
        let mut host = host(Mode::Mt5Netting, "EURUSD");
        assert_eq!(host.terminal_info_integer(k::TERMINAL_CONNECTED), Some(1));
        host.terminal().set_broker_connected(false);
        assert_eq!(host.terminal_info_integer(k::TERMINAL_CONNECTED), Some(0));
        let (ok, result) = host.order_send(&buy(0.1));
        assert!(!ok);
        assert_eq!(result.retcode as i64, k::TRADE_RETCODE_CONNECTION);
        assert_eq!(host.positions_total(), 0);
    }

    #[test]
    fn pending_orders_through_the_order_family() {
        let mut host = host(Mode::Mt5Netting, "EURUSD");
        let bid = host.symbol_info_double("EURUSD", k::SYMBOL_BID).expect("bid");
        let mut limit = buy(0.2);
        limit.action = k::TRADE_ACTION_PENDING;
        limit.order_type = k::ORDER_TYPE_BUY_LIMIT;
        limit.price = ((bid - 0.01) * 1e5).round() / 1e5;
        let (ok, result) = host.order_send(&limit);
        assert!(ok, "{result:?}");
        assert_eq!(result.retcode as i64, k::TRADE_RETCODE_PLACED);
        assert_eq!(host.orders_total(), 1);
        assert_eq!(host.order_get_ticket(0), result.order);
        assert_eq!(host.order_get_integer(k::ORDER_TYPE), Some(k::ORDER_TYPE_BUY_LIMIT));
        assert_eq!(host.order_get_integer(k::ORDER_STATE), Some(k::ORDER_STATE_PLACED));
        let remove = TradeRequest { action: k::TRADE_ACTION_REMOVE, order: result.order, ..TradeRequest::default() };
        assert!(host.order_send(&remove).0);
        assert_eq!(host.orders_total(), 0);
        assert!(!host.order_select(result.order));
        assert_eq!(host.last_error, errors::TRADE_ORDER_NOT_FOUND);
        assert!(host.history_select(0, i64::MAX / 2));
        assert!(host.history_orders.contains(&result.order));
        assert_eq!(host.history_order_get_integer(result.order, k::ORDER_STATE), Some(k::ORDER_STATE_CANCELED));
    }

    #[test]
    fn a_program_without_on_trade_transaction_queues_nothing() {
        let mut host = host(Mode::Mt5Hedging, "");
        host.wants_transactions = false;
        assert!(host.order_send(&buy(0.1)).0);
        assert!(host.take_requests().is_empty());
        assert!(host.take_server_transactions().is_empty(), "the engine's transactions were taken and dropped");
    }
}
