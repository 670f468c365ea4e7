//! The order engine: the link to the trade server and sending to it, records, margin and profit, the trade server's
//! checks, execution, the trading calls, what programs read without trading, and what the feed triggers.

pub mod broker;
pub mod calc;
pub mod checks;
pub mod execution;
pub mod inspect;
pub mod records;
pub mod server;
pub mod trading;
pub mod transactions;
pub mod triggers;
