//! Open positions and pending orders: `get_positions`, `get_position`, `get_orders`, `get_order`.
//!
//! On MT4 an open market order is a position (`position_id` equals `ticket`) and a pending order is an order.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::{ParamsError, Validate};
use crate::methods::checks::{MAX_PAGE_ITEMS, check_limit, check_ticket, max_page};
use crate::types::{Filling, OrderType, Platform, Reason, Side, Ticket, TimeInForce, TimeMs};

method! {
    /// Open positions, optionally only of one symbol or magic number.
    GetPositions = "get_positions", Positions, Terminal, PositionFilter => PositionList
}

method! {
    /// One open position by ticket.
    GetPosition = "get_position", Positions, Terminal, TicketParams => Position
}

method! {
    /// Pending orders, optionally only of one symbol or magic number.
    GetOrders = "get_orders", Positions, Terminal, PositionFilter => OrderList
}

method! {
    /// One pending order by ticket.
    GetOrder = "get_order", Positions, Terminal, TicketParams => Order
}

/// Filter and page of `get_positions` and `get_orders`; all members optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionFilter {
    /// Only this symbol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Only this magic number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magic: Option<i64>,
    /// Items to skip: 0, or the `next_offset` of the previous page.
    #[serde(default)]
    pub offset: u32,
    /// Most items to return, 1 to 10000 (the default).
    #[serde(default = "max_page")]
    #[schemars(range(min = 1, max = 10000))]
    pub limit: u32,
}

impl Default for PositionFilter {
    fn default() -> PositionFilter {
        PositionFilter { symbol: None, magic: None, offset: 0, limit: MAX_PAGE_ITEMS }
    }
}

impl Validate for PositionFilter {
    fn validate(&self) -> Result<(), ParamsError> {
        check_limit(self.limit)
    }
}

/// Params naming one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketParams {
    /// The ticket, as a decimal string.
    pub ticket: Ticket,
}

impl Validate for TicketParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_ticket("ticket", &self.ticket)
    }
}

/// An open position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Position {
    /// Ticket of the position.
    pub ticket: Ticket,
    /// MT5 position identifier (MT4: the ticket).
    pub position_id: Ticket,
    /// Symbol name.
    pub symbol: String,
    /// Long or short.
    pub side: Side,
    /// Volume in lots.
    pub volume: f64,
    /// Open price.
    pub price_open: f64,
    /// Current price the position would close at.
    pub price_current: f64,
    /// Stop loss, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl: Option<f64>,
    /// Take profit, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
    /// Accumulated swap.
    pub swap: f64,
    /// Commission charged.
    pub commission: f64,
    /// Floating profit in deposit currency.
    pub profit: f64,
    /// Magic number.
    pub magic: i64,
    /// Order comment.
    pub comment: String,
    /// The `client_id` of the trading call that opened it, when it came through this gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Why it was opened.
    pub reason: Reason,
    /// Open time, UTC.
    pub time: TimeMs,
    /// Open time on the broker's clock.
    pub broker_time: String,
    /// Last change, UTC.
    pub update_time: TimeMs,
    /// MT4 or MT5.
    pub platform: Platform,
}

/// Result of `get_positions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PositionList {
    /// Open positions, oldest first.
    pub positions: Vec<Position>,
    /// More positions match after this page.
    #[serde(default)]
    pub has_more: bool,
    /// With `has_more`: the `offset` that asks for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}

/// State of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Checked, not yet accepted.
    Started,
    /// Accepted, resting.
    Placed,
    /// Cancelled by the client.
    Canceled,
    /// Partly filled.
    Partial,
    /// Filled.
    Filled,
    /// Rejected.
    Rejected,
    /// Expired.
    Expired,
}

/// A pending order, or an order in history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Order {
    /// Ticket of the order.
    pub ticket: Ticket,
    /// Symbol name.
    pub symbol: String,
    /// Order type.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// State.
    pub state: OrderState,
    /// Volume when placed.
    pub volume_initial: f64,
    /// Volume not yet filled.
    pub volume_current: f64,
    /// Order price.
    pub price_open: f64,
    /// Limit price of a stop-limit order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_stop_limit: Option<f64>,
    /// Current market price of the symbol.
    pub price_current: f64,
    /// Stop loss, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl: Option<f64>,
    /// Take profit, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
    /// Time placed, UTC.
    pub time_setup: TimeMs,
    /// Time filled, cancelled or expired, UTC (history orders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_done: Option<TimeMs>,
    /// Expiration time, UTC, for `specified` orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<TimeMs>,
    /// Lifetime.
    pub time_in_force: TimeInForce,
    /// Filling policy.
    pub filling: Filling,
    /// Magic number.
    pub magic: i64,
    /// Order comment.
    pub comment: String,
    /// The `client_id` of the trading call that placed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The position it opened or closed, once filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_id: Option<Ticket>,
    /// A `close_by` order's opposite position (the one `position_id` was closed by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_by: Option<Ticket>,
    /// Why it was placed.
    pub reason: Reason,
    /// MT4 or MT5.
    pub platform: Platform,
}

/// Result of `get_orders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderList {
    /// Pending orders, oldest first.
    pub orders: Vec<Order>,
    /// More orders match after this page.
    #[serde(default)]
    pub has_more: bool,
    /// With `has_more`: the `offset` that asks for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}
