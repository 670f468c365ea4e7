//! What a program has selected: copies of the position and pending order (MQL5's PositionSelect*, OrderSelect) and
//! of the MQL4 order (OrderSelect), as MetaTrader keeps them until the next select. The [`Host`](super::Host) holds
//! them; the trading built-ins fill and read them.

/// A snapshot of the selected MQL5 position (PositionSelect* copies it, as the terminal does).
#[derive(Debug, Clone)]
pub(crate) struct PositionSnapshot {
    pub record: crate::engine::records::PositionRec,
    pub price_current: f64,
    pub profit: f64,
}

/// A snapshot of the selected MQL5 pending order.
#[derive(Debug, Clone)]
pub(crate) struct OrderSnapshot {
    pub record: crate::engine::records::OrderRec,
    pub price_current: f64,
}

/// The MQL4 order selected by OrderSelect: a copy, as MetaTrader keeps it until the next select.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mt4Order {
    pub ticket: u64,
    pub op: i64,
    pub magic: i64,
    pub open_time: i64,
    pub close_time: i64,
    pub expiration: i64,
    pub lots: f64,
    pub open_price: f64,
    pub close_price: f64,
    pub sl: f64,
    pub tp: f64,
    pub profit: f64,
    pub symbol: String,
    pub comment: String,
}
