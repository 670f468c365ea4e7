//! The panic boundary, pointer and buffer checks, and the per-thread last error behind every export.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::status::{BridgeError, BridgeResult, MTB_E_PANIC};

/// Largest input accepted from the caller. MT4 is a 32-bit process, so nothing near the address space limit.
pub const MAX_INPUT: usize = 64 << 20;

/// Panics caught at the boundary since the library was loaded (reported by `mtb_status`).
pub static PANICS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // Each EA, script and service runs on its own terminal thread, so the last error is per thread.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `message` as the calling thread's last error.
pub fn set_last_error(message: impl Into<String>) {
    let message = message.into();
    LAST_ERROR.with(|cell| *cell.borrow_mut() = message);
}

/// The calling thread's last error.
pub fn last_error() -> String {
    LAST_ERROR.with(|cell| cell.borrow().clone())
}

/// Runs an export's body: a returned error becomes its status code (and the last error), a panic becomes
/// `MTB_E_PANIC`. Nothing unwinds past this point.
pub fn ffi_boundary(body: impl FnOnce() -> BridgeResult<i32>) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            let code = error.code();
            set_last_error(error.to_string());
            code
        }
        Err(payload) => {
            PANICS.fetch_add(1, Ordering::Relaxed);
            let text = payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-text panic payload".to_owned());
            // Setting the message can itself not panic in a way that escapes: it is plain thread-local access.
            set_last_error(BridgeError::Panic(text).to_string());
            MTB_E_PANIC
        }
    }
}

/// Borrows caller bytes: `(null, 0)` is empty; null with a length, or a negative length, is invalid.
///
/// # Safety
/// A non-null `ptr` must point to `len` readable bytes that stay valid for the call.
pub unsafe fn in_bytes<'a>(ptr: *const u8, len: i32, what: &str) -> BridgeResult<&'a [u8]> {
    if len < 0 {
        return Err(BridgeError::arg(format!("{what}: negative length {len}")));
    }
    let len = len as usize;
    if len > MAX_INPUT {
        return Err(BridgeError::arg(format!("{what}: {len} bytes is over the {MAX_INPUT}-byte limit")));
    }
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(BridgeError::arg(format!("{what}: null pointer with length {len}")));
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows caller text: [`in_bytes`] plus a UTF-8 check.
///
/// # Safety
/// As [`in_bytes`].
pub unsafe fn in_str<'a>(ptr: *const u8, len: i32, what: &'static str) -> BridgeResult<&'a str> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { in_bytes(ptr, len, what) }?;
    std::str::from_utf8(bytes).map_err(|_| BridgeError::InvalidUtf8(what))
}

/// Checks an output buffer before anything is consumed: capacity not negative, pointer not null when it has room,
/// and a place to report the size needed.
pub fn check_out_buf(buf: *mut u8, cap: i32, needed: *mut i32) -> BridgeResult<()> {
    if cap < 0 {
        return Err(BridgeError::arg(format!("negative capacity {cap}")));
    }
    if buf.is_null() && cap > 0 {
        return Err(BridgeError::arg(format!("null buffer with capacity {cap}")));
    }
    if needed.is_null() {
        return Err(BridgeError::arg("out_needed is null"));
    }
    Ok(())
}

/// Copies `src` into the caller's buffer, reporting the size needed. Returns the byte count, or
/// `BufferTooSmall` (with `*needed` set) when it does not fit; then nothing was written.
///
/// # Safety
/// `buf` must have `cap` writable bytes and `needed` must be writable, as checked by [`check_out_buf`].
pub unsafe fn copy_out(src: &[u8], buf: *mut u8, cap: i32, needed: *mut i32) -> BridgeResult<i32> {
    check_out_buf(buf, cap, needed)?;
    let size = i32::try_from(src.len()).map_err(|_| BridgeError::arg("output over 2 GiB"))?;
    // SAFETY: `needed` is non-null (checked) and writable (caller contract).
    unsafe { needed.write_unaligned(size) };
    if size > cap {
        return Err(BridgeError::BufferTooSmall { needed: src.len(), cap: cap as usize });
    }
    if size > 0 {
        // SAFETY: `buf` has `cap >= size` writable bytes and cannot overlap our own `src`.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), buf, src.len()) };
    }
    Ok(size)
}

/// Checks a scalar out-pointer.
pub fn check_out<T>(ptr: *mut T, what: &str) -> BridgeResult<()> {
    if ptr.is_null() { Err(BridgeError::arg(format!("{what} is null"))) } else { Ok(()) }
}

/// Writes a scalar out-value. Unaligned on purpose: MQL hands us addresses we do not control.
///
/// # Safety
/// `ptr` must be non-null (see [`check_out`]) and writable.
pub unsafe fn write_out<T>(ptr: *mut T, value: T) {
    // SAFETY: caller contract.
    unsafe { ptr.write_unaligned(value) }
}

/// Sequence generator shared by ids that must never repeat within the process.
pub fn next_id(counter: &AtomicU64) -> i64 {
    // Starting above zero keeps 0 free as "none" for callers.
    (counter.fetch_add(1, Ordering::Relaxed) + 1) as i64
}
