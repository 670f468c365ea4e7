//! Trading: `place_order`, `modify_position`, `close_position`, `close_position_by`, `close_positions`,
//! `modify_order`, `cancel_order`, and `get_trade_result`.
//!
//! Every trading call takes an optional `client_id`. The gateway executes a given `client_id` at most once: a repeat
//! returns the first outcome (waiting for it while it is in flight), and the same id with different params is a
//! `client_id_conflict`. When the outcome is unknown, `get_trade_result` answers it later.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ErrorObject;
use crate::method::{ParamsError, Validate};
use crate::methods::checks::check_symbol;
use crate::methods::checks::check_ticket;
use crate::types::{Filling, OrderType, Platform, Side, Ticket, TimeInForce, TimeMs};

method! {
    /// Opens a market position or places a pending order.
    PlaceOrder = "place_order", Trading, Terminal, PlaceOrderParams => TradeResult, trading
}

method! {
    /// Changes the stop loss and take profit of an open position.
    ModifyPosition = "modify_position", Trading, Terminal, ModifyPositionParams => TradeResult, trading
}

method! {
    /// Closes an open position, or part of it with `volume`.
    ClosePosition = "close_position", Trading, Terminal, ClosePositionParams => TradeResult, trading
}

method! {
    /// Closes a position by an opposite one of the same symbol (MT5 hedging and MT4).
    ClosePositionBy = "close_position_by", Trading, Terminal, ClosePositionByParams => TradeResult,
    requires CloseBy, trading
}

method! {
    /// Closes every open position matching a filter; each position's outcome is reported.
    ClosePositions = "close_positions", Trading, Terminal, ClosePositionsParams => ClosePositionsResult, trading
}

method! {
    /// Changes the price, stops or expiration of a pending order.
    ModifyOrder = "modify_order", Trading, Terminal, ModifyOrderParams => TradeResult, trading
}

method! {
    /// Deletes a pending order.
    CancelOrder = "cancel_order", Trading, Terminal, CancelOrderParams => TradeResult, trading
}

method! {
    /// The recorded outcome of a trading call by its `client_id`, kept for at least 24 hours.
    GetTradeResult = "get_trade_result", Trading, Gateway, GetTradeResultParams => TradeRecord
}

/// Longest `client_id`.
pub const CLIENT_ID_MAX_LEN: usize = 64;
/// Longest order comment MetaTrader keeps.
pub const COMMENT_MAX_LEN: usize = 31;

fn check_client_id(client_id: &Option<String>) -> Result<(), ParamsError> {
    let Some(client_id) = client_id else {
        return Ok(());
    };
    let allowed = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b':');
    if client_id.is_empty() || client_id.len() > CLIENT_ID_MAX_LEN || !client_id.bytes().all(allowed) {
        return Err(ParamsError::field(
            "client_id",
            "a client_id has 1 to 64 characters from A-Z, a-z, 0-9, '-', '_', '.', ':'",
        ));
    }
    Ok(())
}

fn check_positive(field: &str, value: Option<f64>) -> Result<(), ParamsError> {
    match value {
        Some(value) if !(value.is_finite() && value > 0.0) => {
            Err(ParamsError::field(field, "must be a positive number"))
        }
        _ => Ok(()),
    }
}

/// Params of `place_order` and `check_order`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrderParams {
    /// Idempotency key chosen by the client (1 to 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub client_id: Option<String>,
    /// Symbol name.
    pub symbol: String,
    /// Order type; `buy` and `sell` execute at market.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Volume in lots.
    #[schemars(range(min = 0.0))]
    pub volume: f64,
    /// Order price; required for pending types, optional for market (the requested price for instant execution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// Limit price of a stop-limit order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_limit_price: Option<f64>,
    /// Stop loss price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl: Option<f64>,
    /// Take profit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
    /// Most slippage accepted for market orders, in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviation_points: Option<u32>,
    /// Filling policy.
    #[serde(default)]
    pub filling: Filling,
    /// Lifetime of a pending order.
    #[serde(default)]
    pub time_in_force: TimeInForce,
    /// Expiration time, UTC, for `specified` and `specified_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<TimeMs>,
    /// Magic number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magic: Option<i64>,
    /// Order comment, at most 31 characters (the server may shorten it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 31))]
    pub comment: Option<String>,
}

impl PlaceOrderParams {
    /// A market order with defaults for everything optional.
    pub fn market(symbol: &str, side: Side, volume: f64) -> PlaceOrderParams {
        PlaceOrderParams {
            client_id: None,
            symbol: symbol.to_owned(),
            order_type: if side == Side::Buy { OrderType::Buy } else { OrderType::Sell },
            volume,
            price: None,
            stop_limit_price: None,
            sl: None,
            tp: None,
            deviation_points: None,
            filling: Filling::Auto,
            time_in_force: TimeInForce::Gtc,
            expiration: None,
            magic: None,
            comment: None,
        }
    }
}

impl Validate for PlaceOrderParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)?;
        check_symbol("symbol", &self.symbol)?;
        check_positive("volume", Some(self.volume))?;
        check_positive("price", self.price)?;
        check_positive("stop_limit_price", self.stop_limit_price)?;
        check_positive("sl", self.sl)?;
        check_positive("tp", self.tp)?;
        if self.order_type == OrderType::CloseBy {
            return Err(ParamsError::field("type", "close_by orders are made by close_position_by"));
        }
        if !self.order_type.is_market() && self.price.is_none() {
            return Err(ParamsError::field("price", "a pending order needs a price"));
        }
        if self.order_type.is_stop_limit() != self.stop_limit_price.is_some() {
            return Err(ParamsError::field("stop_limit_price", "give stop_limit_price with stop-limit types only"));
        }
        check_expiration(self.time_in_force, self.expiration)?;
        if self.comment.as_ref().is_some_and(|comment| comment.chars().count() > COMMENT_MAX_LEN) {
            return Err(ParamsError::field("comment", "a comment has at most 31 characters"));
        }
        Ok(())
    }
}

fn check_expiration(time_in_force: TimeInForce, expiration: Option<TimeMs>) -> Result<(), ParamsError> {
    let needs = matches!(time_in_force, TimeInForce::Specified | TimeInForce::SpecifiedDay);
    if needs != expiration.is_some() {
        return Err(ParamsError::field(
            "expiration",
            "give expiration exactly when time_in_force is specified or specified_day",
        ));
    }
    Ok(())
}

/// Params of `modify_position`. Absent `sl` or `tp` leaves it unchanged; `0` removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyPositionParams {
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Position ticket.
    pub ticket: Ticket,
    /// New stop loss (0 removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl: Option<f64>,
    /// New take profit (0 removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
}

impl Validate for ModifyPositionParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)?;
        check_ticket("ticket", &self.ticket)?;
        if self.sl.is_none() && self.tp.is_none() {
            return Err(ParamsError::field("sl", "give sl, tp or both"));
        }
        for (field, value) in [("sl", self.sl), ("tp", self.tp)] {
            if value.is_some_and(|value| !(value.is_finite() && value >= 0.0)) {
                return Err(ParamsError::field(field, "must be a price, or 0 to remove it"));
            }
        }
        Ok(())
    }
}

/// Params of `close_position`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosePositionParams {
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Position ticket.
    pub ticket: Ticket,
    /// Lots to close; the whole position when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    /// Most slippage accepted, in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviation_points: Option<u32>,
}

impl Validate for ClosePositionParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)?;
        check_ticket("ticket", &self.ticket)?;
        check_positive("volume", self.volume)
    }
}

/// Params of `close_position_by`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosePositionByParams {
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Position to close.
    pub ticket: Ticket,
    /// Opposite position of the same symbol.
    pub opposite_ticket: Ticket,
}

impl Validate for ClosePositionByParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)?;
        check_ticket("ticket", &self.ticket)?;
        check_ticket("opposite_ticket", &self.opposite_ticket)?;
        if self.ticket == self.opposite_ticket {
            return Err(ParamsError::field("opposite_ticket", "must differ from ticket"));
        }
        Ok(())
    }
}

/// Params of `close_positions`; with no filter every open position is closed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosePositionsParams {
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Only this symbol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Only this magic number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magic: Option<i64>,
    /// Only this side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
}

impl Validate for ClosePositionsParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)
    }
}

/// Params of `modify_order`. Absent members stay unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyOrderParams {
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Order ticket.
    pub ticket: Ticket,
    /// New order price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// New limit price of a stop-limit order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_limit_price: Option<f64>,
    /// New stop loss (0 removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl: Option<f64>,
    /// New take profit (0 removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
    /// New lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_in_force: Option<TimeInForce>,
    /// New expiration, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<TimeMs>,
}

impl Validate for ModifyOrderParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)?;
        check_ticket("ticket", &self.ticket)?;
        check_positive("price", self.price)?;
        check_positive("stop_limit_price", self.stop_limit_price)?;
        if let Some(time_in_force) = self.time_in_force {
            check_expiration(time_in_force, self.expiration)?;
        }
        let changes = [
            self.price.is_some(),
            self.stop_limit_price.is_some(),
            self.sl.is_some(),
            self.tp.is_some(),
            self.time_in_force.is_some(),
            self.expiration.is_some(),
        ];
        if !changes.contains(&true) {
            return Err(ParamsError::field("price", "give at least one member to change"));
        }
        Ok(())
    }
}

/// Params of `cancel_order`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelOrderParams {
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Order ticket.
    pub ticket: Ticket,
}

impl Validate for CancelOrderParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&self.client_id)?;
        check_ticket("ticket", &self.ticket)
    }
}

/// A successful trade: the result of every trading call. Rejections are errors of kind `trade_rejected`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TradeResult {
    /// The call's `client_id`, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// MT code: 10008 placed, 10009 done, 10010 done partially, 10025 no changes (MT5); 0 (MT4).
    pub retcode: i32,
    /// MT name of `retcode`.
    pub retcode_name: String,
    /// Human description.
    pub message: String,
    /// Ticket of the order created or changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Ticket>,
    /// Ticket of the deal executed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<Ticket>,
    /// The position opened, changed or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_id: Option<Ticket>,
    /// MT4 partial close: the new ticket of the remaining volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_ticket: Option<Ticket>,
    /// Volume executed or placed.
    pub volume: f64,
    /// Execution or order price.
    pub price: f64,
    /// Bid at execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bid: Option<f64>,
    /// Ask at execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<f64>,
    /// Broker comment.
    pub comment: String,
    /// MT4 or MT5.
    pub platform: Platform,
}

/// One position's outcome in `close_positions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CloseOutcome {
    /// The position.
    pub ticket: Ticket,
    /// Its close, if it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<TradeResult>,
    /// Why it failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
}

/// Result of `close_positions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClosePositionsResult {
    /// The call's `client_id`, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// One entry per matching position.
    pub outcomes: Vec<CloseOutcome>,
}

/// Params of `get_trade_result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTradeResultParams {
    /// The `client_id` of the trading call.
    pub client_id: String,
}

impl Validate for GetTradeResultParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_client_id(&Some(self.client_id.clone()))
    }
}

/// Where a trading call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TradeStatus {
    /// Sent to the terminal, no answer yet.
    InFlight,
    /// Succeeded; see `result`.
    Done,
    /// Failed with a definite answer; see `error`. Nothing was executed.
    Failed,
    /// Handed to the terminal with no definite answer yet (it went silent, or its link dropped); it may have been
    /// executed. A late answer from the terminal settles it.
    Unknown,
}

/// The result a trading call returned: a [`TradeResult`], or for `close_positions` a [`ClosePositionsResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TradeOutput {
    /// Every trading call but `close_positions`.
    Single(TradeResult),
    /// `close_positions`.
    Batch(ClosePositionsResult),
}

/// Result of `get_trade_result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TradeRecord {
    /// The `client_id`.
    pub client_id: String,
    /// The trading method called.
    pub method: String,
    /// Where it stands.
    pub status: TradeStatus,
    /// The outcome when `done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<TradeOutput>,
    /// The error when `failed` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
    /// When the gateway received the first call, UTC.
    pub received_at: TimeMs,
    /// When the outcome became known, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<TimeMs>,
}
