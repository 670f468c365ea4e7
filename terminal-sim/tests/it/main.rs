//! Integration tests of the simulated terminal's engine through its typed API: order engine numbers, rejections,
//! MT4 semantics, feed. What programs answer over it is tested end to end through the shipped EA (e2e).

#![forbid(unsafe_code)]
// Results carry the protocol's ErrorObject as the engine does.
#![allow(clippy::result_large_err)]

mod driver;
mod feed;
mod margin_profit;
mod mt4;
mod orders;
mod rejections;
mod support;
mod transactions;
