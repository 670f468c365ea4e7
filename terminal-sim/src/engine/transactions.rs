//! MT5's trade transactions, what `OnTradeTransaction` receives, recorded by the engine in the order the terminal
//! documents: a market order is ORDER_ADD, DEAL_ADD, ORDER_DELETE, HISTORY_ADD; a pending order is ORDER_ADD when
//! placed, ORDER_UPDATE when changed and ORDER_DELETE, HISTORY_ADD when it leaves; an SL/TP change is POSITION.
//! The TRADE_TRANSACTION_REQUEST that closes a program's own request is added by whoever ran the request (the
//! host's `OrderSend`), since only it holds the request and the result.

use metaapi_protocol::methods::{DealEntry, OrderState};
use metaapi_protocol::types::{OrderType, TimeInForce, TimeMs};

use crate::engine::records::{DealRec, OrderRec, PositionRec};
// A deal record's MetaTrader type, which transactions carry too; reachable here as well as from `records`.
pub use crate::engine::records::MtDealType;

/// `ENUM_TRADE_TRANSACTION_TYPE`, with MetaTrader's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum TransactionType {
    /// TRADE_TRANSACTION_ORDER_ADD: a new open order.
    OrderAdd = 0,
    /// TRADE_TRANSACTION_ORDER_UPDATE: an open order changed.
    OrderUpdate = 1,
    /// TRADE_TRANSACTION_ORDER_DELETE: an order left the open orders.
    OrderDelete = 2,
    /// TRADE_TRANSACTION_HISTORY_ADD: an order reached the history.
    HistoryAdd = 3,
    /// TRADE_TRANSACTION_HISTORY_UPDATE.
    HistoryUpdate = 4,
    /// TRADE_TRANSACTION_HISTORY_DELETE.
    HistoryDelete = 5,
    /// TRADE_TRANSACTION_DEAL_ADD: a deal was added to the history.
    DealAdd = 6,
    /// TRADE_TRANSACTION_DEAL_UPDATE.
    DealUpdate = 7,
    /// TRADE_TRANSACTION_DEAL_DELETE.
    DealDelete = 8,
    /// TRADE_TRANSACTION_POSITION: a position changed other than by a deal (SL/TP).
    Position = 9,
    /// TRADE_TRANSACTION_REQUEST: the server handled a request.
    Request = 10,
}

/// One trade transaction, as `MqlTradeTransaction` carries it (zero where a field does not apply).
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    /// What happened.
    pub kind: TransactionType,
    /// Deal ticket.
    pub deal: u64,
    /// Order ticket.
    pub order: u64,
    /// Symbol.
    pub symbol: String,
    /// The order's type.
    pub order_type: Option<OrderType>,
    /// The order's state.
    pub order_state: Option<OrderState>,
    /// The deal's type.
    pub deal_type: Option<MtDealType>,
    /// The deal's entry, for readers that tell opening from closing deals.
    pub deal_entry: Option<DealEntry>,
    /// The order's lifetime.
    pub time_in_force: Option<TimeInForce>,
    /// The order's expiration, UTC.
    pub expiration: Option<TimeMs>,
    /// Order, deal or position price.
    pub price: f64,
    /// Stop-limit trigger price.
    pub price_trigger: f64,
    /// Stop loss.
    pub price_sl: f64,
    /// Take profit.
    pub price_tp: f64,
    /// Volume in lots.
    pub volume: f64,
    /// The position affected.
    pub position: u64,
    /// The opposite position of a close-by.
    pub position_by: u64,
}

impl Transaction {
    fn empty(kind: TransactionType) -> Transaction {
        Transaction {
            kind,
            deal: 0,
            order: 0,
            symbol: String::new(),
            order_type: None,
            order_state: None,
            deal_type: None,
            deal_entry: None,
            time_in_force: None,
            expiration: None,
            price: 0.0,
            price_trigger: 0.0,
            price_sl: 0.0,
            price_tp: 0.0,
            volume: 0.0,
            position: 0,
            position_by: 0,
        }
    }

    /// An order transaction (ORDER_ADD, ORDER_UPDATE, ORDER_DELETE, HISTORY_ADD).
    pub fn of_order(kind: TransactionType, order: &OrderRec) -> Transaction {
        let (price, price_trigger) = match order.price_stop_limit {
            // A stop-limit order's price is its limit price; the stop is the trigger.
            Some(limit) => (limit, order.price_open),
            None => (order.price_open, 0.0),
        };
        Transaction {
            order: order.ticket,
            symbol: order.symbol.clone(),
            order_type: Some(order.order_type),
            order_state: Some(order.state),
            time_in_force: Some(order.time_in_force),
            expiration: order.expiration,
            price,
            price_trigger,
            price_sl: order.sl.unwrap_or(0.0),
            price_tp: order.tp.unwrap_or(0.0),
            volume: order.volume_current,
            position: order.position_id.unwrap_or(0),
            ..Transaction::empty(kind)
        }
    }

    /// A DEAL_ADD.
    pub fn of_deal(deal: &DealRec) -> Transaction {
        Transaction {
            deal: deal.ticket,
            order: deal.order.unwrap_or(0),
            symbol: deal.symbol.clone(),
            deal_type: Some(deal.mt_type),
            deal_entry: Some(deal.entry),
            price: deal.price,
            volume: deal.volume,
            position: deal.position_id.unwrap_or(0),
            ..Transaction::empty(TransactionType::DealAdd)
        }
    }

    /// A POSITION change (stops).
    pub fn of_position(position: &PositionRec) -> Transaction {
        Transaction {
            symbol: position.symbol.clone(),
            price: position.price_open,
            price_sl: position.sl.unwrap_or(0.0),
            price_tp: position.tp.unwrap_or(0.0),
            volume: position.volume,
            position: position.ticket,
            ..Transaction::empty(TransactionType::Position)
        }
    }

    /// The TRADE_TRANSACTION_REQUEST closing a request; its data is in the request and result structs.
    pub fn request() -> Transaction {
        Transaction::empty(TransactionType::Request)
    }
}
