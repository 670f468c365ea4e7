//! Integration tests of the bridge DLL: the built shared library is loaded with libloading and driven through its
//! C ABI against a real WebSocket gateway stand-in on 127.0.0.1; the MQL sources are checked against the exports.

mod abi;
mod exports;
mod gateway;
mod harness;
mod link;
mod mql;
mod sizes;
mod wine;
