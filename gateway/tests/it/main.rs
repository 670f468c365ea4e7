//! Integration tests of the gateway over real sockets: a real console, a real gateway, and a test terminal peer
//! that speaks the link protocol as the bridge DLL does.

mod auth;
mod deadlines;
mod harness;
mod routing;
mod security;
mod streams;
mod terminal;
mod trading;
