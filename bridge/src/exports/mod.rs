//! The `mtb_*` exports: lifecycle, versions, status and the wait. Requests and params are in [`requests`],
//! the reply and event builder in [`builder`], and the one list of them all, which everything else is built from,
//! in [`table`].
//!
//! Every export is a safe `extern "system"` function as ABI.md specifies; the pointers it receives are the
//! caller's promise (valid for the given length or capacity), which is all a C ABI can offer. Each body runs in
//! [`ffi_boundary`], so errors become status codes and panics become `MTB_E_PANIC`.

// The C ABI hands over raw pointers in safe-looking functions by design (see ABI.md); the checks live in `ffi`.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod builder;
pub mod requests;
pub mod table;

use std::sync::atomic::Ordering;
use std::time::Duration;

pub use builder::*;
pub use requests::*;

use crate::config::StartConfig;
use crate::ffi::{self, PANICS, check_out, copy_out, ffi_boundary, in_str, write_out};
use crate::status::{BridgeError, MTB_E_PANIC, MTB_OK};
use crate::{ABI_MAJOR, ABI_VERSION, runtime};

/// `(MAJOR << 16) | MINOR`, currently `0x00010001`.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_abi_version() -> i32 {
    ABI_VERSION
}

/// `"metaapi-bridge/<ver> protocol/<ver> link/<ver>"`.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_version(buf: *mut u8, cap: i32, out_needed: *mut i32) -> i32 {
    ffi_boundary(|| {
        let text = crate::version_text();
        // SAFETY: the caller's buffer contract (ABI.md).
        unsafe { copy_out(text.as_bytes(), buf, cap, out_needed) }
    })
}

/// The calling thread's last failure. Reading it never changes it, even when the buffer is too small.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_last_error(buf: *mut u8, cap: i32, out_needed: *mut i32) -> i32 {
    let result = std::panic::catch_unwind(|| {
        let text = ffi::last_error();
        // SAFETY: the caller's buffer contract (ABI.md).
        unsafe { copy_out(text.as_bytes(), buf, cap, out_needed) }
    });
    match result {
        Ok(Ok(length)) => length,
        Ok(Err(error)) => error.code(),
        Err(_) => {
            PANICS.fetch_add(1, Ordering::Relaxed);
            MTB_E_PANIC
        }
    }
}

/// Starts a session from a JSON config and links to the gateway in the background.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_start(config: *const u8, config_len: i32, abi_major: i32, out_session: *mut i64) -> i32 {
    ffi_boundary(|| {
        check_out(out_session, "out_session")?;
        if abi_major != ABI_MAJOR {
            return Err(BridgeError::AbiMismatch { caller: abi_major, ours: ABI_MAJOR });
        }
        // SAFETY: the caller's input contract (ABI.md).
        let text = unsafe { in_str(config, config_len, "config") }?;
        let config = StartConfig::parse(text)?;
        let handle = runtime::start_session(config)?;
        // SAFETY: checked non-null above.
        unsafe { write_out(out_session, handle) };
        Ok(MTB_OK)
    })
}

/// Stops a session: queued requests are answered `not_executed`, the link closes. Never blocks more than ~100 ms.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_stop(session: i64) -> i32 {
    ffi_boundary(|| runtime::stop_session(session).map(|()| MTB_OK))
}

/// Status JSON: link state, queue depths and counters.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_status(session: i64, buf: *mut u8, cap: i32, out_needed: *mut i32) -> i32 {
    ffi_boundary(|| {
        ffi::check_out_buf(buf, cap, out_needed)?;
        let session = runtime::session(session)?;
        let status = session.status(PANICS.load(Ordering::Relaxed));
        let text = serde_json::to_string(&status).map_err(|error| BridgeError::Panic(error.to_string()))?;
        // SAFETY: the caller's buffer contract (ABI.md).
        unsafe { copy_out(text.as_bytes(), buf, cap, out_needed) }
    })
}

/// Blocks up to `min(timeout_ms, 1000)` ms; returns the readiness bits (1 request, 2 link changed, 4 stopping,
/// 8 demand changed), 0 on timeout. With the link bit, the link's new state in words becomes the last error (`link: linked; heartbeat
/// every 5000 ms`, `link: connecting to ...`, or why it was refused or dropped), which the EA prints as it is.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_wait(session: i64, timeout_ms: i32) -> i32 {
    ffi_boundary(|| {
        if timeout_ms < 0 {
            return Err(BridgeError::arg(format!("negative timeout {timeout_ms}")));
        }
        let session = runtime::session(session)?;
        let (bits, link) = session.wait(Duration::from_millis(timeout_ms.min(1000) as u64));
        if let Some((_, reason)) = link {
            ffi::set_last_error(format!("link: {reason}"));
        }
        Ok(bits)
    })
}

/// The clients' demand: which streams the gateway's clients subscribed to, one line per stream
/// (`kind<TAB>symbol<TAB>timeframe<LF>`, sorted; see ABI.md). Empty until the gateway states it on this link.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_demand(session: i64, buf: *mut u8, cap: i32, out_needed: *mut i32) -> i32 {
    ffi_boundary(|| {
        ffi::check_out_buf(buf, cap, out_needed)?;
        let text = runtime::session(session)?.demand();
        // SAFETY: the caller's buffer contract (ABI.md).
        unsafe { copy_out(text.as_bytes(), buf, cap, out_needed) }
    })
}

/// Test-only: panics inside the boundary and so returns `MTB_E_PANIC`, to prove a panic never reaches the
/// caller and the library keeps working. Always exported (so tests use the very library that ships); the MQL
/// include does not import it.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_debug_panic() -> i32 {
    ffi_boundary(|| panic!("mtb_debug_panic was called (test hook)"))
}
