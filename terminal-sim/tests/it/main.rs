//! Integration tests of the simulated terminal: order engine numbers, rejections, MT4 semantics, feed, dispatch.

#![forbid(unsafe_code)]
// Results carry the protocol's ErrorObject as the engine does.
#![allow(clippy::result_large_err)]

mod dispatch;
mod driver;
mod feed;
mod margin_profit;
mod mt4;
mod orders;
mod rejections;
mod support;
mod transactions;
