//! Integration tests of the gateway over real sockets: a real console, a real gateway, and a test terminal peer
//! that speaks the link protocol as the bridge DLL does.

// `ErrorObject` is the wire error every fallible call returns; boxing it would add an allocation per error for
// no gain.
#![allow(clippy::result_large_err)]

mod auth;
mod chaos;
mod client_quirks;
mod deadlines;
mod faults;
mod harness;
mod limits;
mod outage;
mod relink;
mod replicas;
mod routing;
mod security;
mod stalls;
mod streams;
mod terminal;
mod trading;
