//! The client against the real stack: console, gateway and a simulated terminal driving the real bridge.
//!
//! - `calls`: typed calls, wrappers and batches;
//! - `idempotency`: automatic `client_id`, repeats that return the first outcome, and conflicts;
//! - `reconnect`: the gateway restarted under an open subscription.

#![forbid(unsafe_code)]

mod calls;
mod idempotency;
mod reconnect;
mod support;
