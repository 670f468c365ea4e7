//! Typed Rust client for the MetaAPI local gateway.
//!
//! A [`Client`] talks to one terminal through the gateway on `127.0.0.1:6000`, chosen by its auth token:
//!
//! - [`Client::call`] calls any method of the protocol registry with typed params and result;
//!   every method also has a convenience wrapper ([`Client::get_account_info`], [`Client::place_order`], ...).
//! - Trading calls get a fresh `client_id` when they have none, and retries reuse it, so a retry never doubles an
//!   order; [`ClientError::OutcomeUnknown`] carries the id for [`Client::get_trade_result`].
//! - [`Client::batch`] sends several calls in one request.
//! - [`Client::subscribe`] streams notifications over `/ws` as an [`EventStream`] that reconnects, resubscribes and
//!   reports gaps (by `seq`) followed by a snapshot to resynchronize from.
//!
//! ```no_run
//! # async fn example() -> Result<(), metaapi_client::ClientError> {
//! use metaapi_client::{Client, protocol::{methods::PlaceOrderParams, types::Side}};
//!
//! let client = Client::new("http://127.0.0.1:6000", std::env::var("METAAPI_TOKEN").unwrap_or_default());
//! let account = client.get_account_info().await?;
//! println!("{} {:.2} {}", account.login, account.balance, account.currency);
//! let trade = client.place_order(PlaceOrderParams::market("EURUSD", Side::Buy, 0.01)).await?;
//! println!("opened {:?} ({})", trade.position_id, trade.client_id.unwrap_or_default());
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
// `ErrorObject` is the wire error every fallible call returns; boxing it would add an allocation per error for
// no gain.
#![allow(clippy::result_large_err)]

mod client;
mod error;
mod methods;
mod stream;

pub use client::{Batch, BatchAnswers, BatchKey, Client, RetryPolicy, new_client_id};
pub use error::ClientError;
pub use stream::{Event, EventStream, StreamItem};

/// The protocol crate, re-exported so that users need one dependency.
pub use metaapi_protocol as protocol;
