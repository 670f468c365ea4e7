//! The bridge DLL loaded by the MetaTrader EA: the `mtb_*` C ABI (see `ABI.md`) and the link to the gateway.
//!
//! The EA (or MQL5 Service, or the Rust terminal simulator) starts a session with the token, the gateway URL and
//! the terminal's identity. A background I/O thread links to the gateway over WebSocket and relinks by itself.
//! Requests arrive in a queue (`Queued -> Taken -> Done`); the EA blocks only in `mtb_wait`, reads params with
//! typed getters, builds its reply with typed setters, and the DLL checks every reply and event against the
//! protocol types before it leaves, so a client never sees malformed data.
//!
//! Where things live: `session` holds one session's state behind one mutex and decides whom each change wakes;
//! `inbox` is its request side (the request queue and its caps, claimed requests, reply and event builders, replies
//! checked into messages); `outbox` is what waits to be sent to the gateway (replies, taken notices, ordered events,
//! the newest snapshot per symbol, event numbering); `link` is the I/O task that drains the outbox; `exports` is the
//! C ABI over them.
//!
//! Choices beyond ABI.md, documented here:
//! - `quote` and `book` events are snapshots and coalesce per symbol (newest wins); other events keep their order
//!   in a bounded queue and get a sequence number when they leave, so only real drops leave a gap.
//! - Until the gateway sends its stream interest, market events of every symbol are forwarded.
//! - `mtb_debug_panic` is always exported and test-only: it panics inside the boundary and returns `MTB_E_PANIC`.
//! - Every out pointer (including `out_needed`) is required; a null one is `MTB_E_INVALID_ARG`.
//! - The gateway URL must be `ws://` on a loopback host, since the token travels in its header unencrypted.

pub mod config;
pub mod exports;
pub mod ffi;
mod inbox;
mod link;
pub mod mql;
mod outbox;
pub mod path;
pub mod registry;
mod retcodes;
mod runtime;
pub mod session;
pub mod status;

pub use exports::*;
pub use status::*;

/// ABI major version: a caller written for another major is refused.
pub const ABI_MAJOR: i32 = 1;
/// ABI minor version: bumped when exports or optional config members are added.
pub const ABI_MINOR: i32 = 1;
/// `(MAJOR << 16) | MINOR`, the value of `mtb_abi_version`.
pub const ABI_VERSION: i32 = (ABI_MAJOR << 16) | ABI_MINOR;

/// `"metaapi-bridge/<ver> protocol/<ver> link/<ver>"`, the text of `mtb_version`.
pub fn version_text() -> String {
    format!(
        "metaapi-bridge/{} protocol/{} link/{}",
        env!("CARGO_PKG_VERSION"),
        metaapi_protocol::PROTOCOL_VERSION,
        metaapi_protocol::link::LINK_VERSION
    )
}
