//! A simulated MT5 (hedging or netting) and MT4 terminal that drives the bridge through its C ABI.
//!
//! The [`Terminal`] is a pure, deterministic engine: symbols with real-looking specs, a seeded price feed on a
//! virtual clock, candles and tick history, an account with margin and stop-out, and an order engine that refuses
//! with the codes a real MT server uses. It answers no protocol method: [`start`] runs the shipped EA over it (the
//! MQL built-ins in [`host`] call the engine's typed API), and the EA claims requests from the bridge DLL
//! (`mtb_*`), answers them and publishes events.

// The engine's calls return the protocol's ErrorObject as is: the host turns it into MQL's error codes, and boxing
// it would only add noise.
#![allow(clippy::result_large_err)]

pub mod abi;
pub mod candles;
mod driver;
pub mod engine;
mod error;
pub mod event;
pub mod event_loop;
pub mod host;
pub mod market;
pub mod mode;
pub mod programs;
pub mod retcode;
pub mod rng;
pub mod scale;
pub mod symbols;
pub mod terminal;
pub mod time;

pub use abi::BridgeAbi;
pub use driver::{SimConfig, SimHandle, start, start_program, start_program_with_inputs};
pub use error::SimError;
pub use event::Event;
pub use mode::Mode;
pub use scale::SimScale;
pub use symbols::matches_group;
pub use terminal::{Terminal, TerminalConfig};
