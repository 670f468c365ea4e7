//! A simulated MT5 (hedging or netting) and MT4 terminal that drives the bridge through its C ABI.
//!
//! The [`Terminal`] is a pure, deterministic engine: symbols with real-looking specs, a seeded price feed on a
//! virtual clock, candles and tick history, an account with margin and stop-out, and an order engine that answers
//! every terminal-routed protocol method with the codes a real MT server uses. [`start`] runs it as the EA would:
//! a thread that claims requests from the bridge DLL (`mtb_*`), answers them and publishes events.

// Handlers return the protocol's ErrorObject as is: it is the wire error, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod abi;
pub mod candles;
pub mod dispatch;
mod driver;
pub mod engine;
mod error;
pub mod event;
pub mod event_loop;
pub mod host;
pub mod market;
pub mod mode;
pub mod programs;
mod queries;
pub mod retcode;
pub mod rng;
pub mod scale;
pub mod symbols;
pub mod terminal;
pub mod time;

pub use abi::BridgeAbi;
pub use driver::{SimConfig, SimHandle, start, start_program};
pub use error::SimError;
pub use event::Event;
pub use mode::Mode;
pub use queries::matches_group;
pub use scale::SimScale;
pub use terminal::{Terminal, TerminalConfig};
