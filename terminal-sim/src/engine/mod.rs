//! The order engine: the trade server link, records, margin and profit, the trade server's checks, execution, the trading calls, what
//! programs read without trading, and what the feed triggers.

pub mod broker;
pub mod calc;
pub mod checks;
pub mod execution;
pub mod inspect;
pub mod records;
pub mod trading;
pub mod transactions;
pub mod triggers;
