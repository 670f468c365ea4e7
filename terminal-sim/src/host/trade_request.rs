//! A program's OrderSend as the host records it: the request with owned strings and what it produced, kept for the
//! event loop to deliver to OnTradeTransaction after the handler returns.

use super::ffi::MqlHostTradeResult;
use crate::engine::transactions::Transaction;

/// An MqlTradeRequest with owned strings.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct TradeRequest {
    pub action: i64,
    pub magic: u64,
    pub order: u64,
    pub symbol: String,
    pub volume: f64,
    pub price: f64,
    pub stoplimit: f64,
    pub sl: f64,
    pub tp: f64,
    pub deviation: u64,
    pub order_type: i64,
    pub type_filling: i64,
    pub type_time: i64,
    pub expiration: i64,
    pub comment: String,
    pub position: u64,
    pub position_by: u64,
}

/// What one OrderSend of the program produced: the engine's transactions, then the REQUEST with the request
/// and result, delivered to OnTradeTransaction in that order.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// The engine's transactions the request caused, then [`Transaction::request`].
    pub transactions: Vec<Transaction>,
    /// The request as sent.
    pub request: TradeRequest,
    /// The result OrderSend returned.
    pub result: MqlHostTradeResult,
}
