//! Claiming requests and reading their params with typed getters.

#![allow(clippy::not_unsafe_ptr_arg_deref)]

use serde_json::Value;

use crate::ffi::{check_out, check_out_buf, copy_out, ffi_boundary, in_str, write_out};
use crate::path;
use crate::runtime;
use crate::status::{BridgeError, BridgeResult, MTB_OK};

/// Claims the oldest queued request: copies its method name, writes its id, tells the gateway it was taken.
/// Returns the name's length, or 0 (and id 0) when nothing is queued. A short buffer leaves the request queued.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_next_request(
    session: i64,
    method_buf: *mut u8,
    cap: i32,
    out_request_id: *mut i64,
    out_needed: *mut i32,
) -> i32 {
    ffi_boundary(|| {
        check_out_buf(method_buf, cap, out_needed)?;
        check_out(out_request_id, "out_request_id")?;
        let session = runtime::session(session)?;
        // SAFETY: the caller's buffer contract (ABI.md); the copy runs before anything is consumed.
        let (length, id) =
            session.claim_next(|name| unsafe { copy_out(name.as_bytes(), method_buf, cap, out_needed) })?;
        // SAFETY: checked non-null above.
        unsafe { write_out(out_request_id, id) };
        Ok(length)
    })
}

/// The claimed request's params as JSON (normalized: defaults filled in).
#[unsafe(no_mangle)]
pub extern "system" fn mtb_request_params(
    session: i64,
    request_id: i64,
    buf: *mut u8,
    cap: i32,
    out_needed: *mut i32,
) -> i32 {
    ffi_boundary(|| {
        check_out_buf(buf, cap, out_needed)?;
        let text = runtime::session(session)?.with_params(request_id, |params| {
            serde_json::to_string(params).map_err(|error| BridgeError::Panic(error.to_string()))
        })?;
        // SAFETY: the caller's buffer contract (ABI.md).
        unsafe { copy_out(text.as_bytes(), buf, cap, out_needed) }
    })
}

fn param<T>(
    session: i64,
    request_id: i64,
    path_ptr: *const u8,
    path_len: i32,
    read: impl FnOnce(&str, &Value) -> BridgeResult<T>,
) -> BridgeResult<T> {
    // SAFETY: the caller's input contract (ABI.md).
    let path = unsafe { in_str(path_ptr, path_len, "path") }?;
    runtime::session(session)?.with_params(request_id, |params| read(path, path::get(params, path)?))
}

/// The body shared by the scalar getters: reads the param at `path` through `read` and writes it to `out_value`.
fn scalar_param<T>(
    session: i64,
    request_id: i64,
    path: *const u8,
    path_len: i32,
    out_value: *mut T,
    out_name: &str,
    read: impl FnOnce(&str, &Value) -> BridgeResult<T>,
) -> i32 {
    ffi_boundary(|| {
        check_out(out_value, out_name)?;
        let value = param(session, request_id, path, path_len, read)?;
        // SAFETY: checked non-null above.
        unsafe { write_out(out_value, value) };
        Ok(MTB_OK)
    })
}

fn wrong(path: &str, expected: &str, value: &Value) -> BridgeError {
    BridgeError::WrongType(format!("param `{path}` is {}, not {expected}", path::type_name(value)))
}

/// A string param. Returns its length.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_param_string(
    session: i64,
    request_id: i64,
    path: *const u8,
    path_len: i32,
    buf: *mut u8,
    cap: i32,
    out_needed: *mut i32,
) -> i32 {
    ffi_boundary(|| {
        check_out_buf(buf, cap, out_needed)?;
        let text = param(session, request_id, path, path_len, |path, value| {
            value.as_str().map(str::to_owned).ok_or_else(|| wrong(path, "a string", value))
        })?;
        // SAFETY: the caller's buffer contract (ABI.md).
        unsafe { copy_out(text.as_bytes(), buf, cap, out_needed) }
    })
}

/// A number param as a double.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_param_double(
    session: i64,
    request_id: i64,
    path: *const u8,
    path_len: i32,
    out_value: *mut f64,
) -> i32 {
    scalar_param(session, request_id, path, path_len, out_value, "out_value", |path, value| {
        value.as_f64().ok_or_else(|| wrong(path, "a number", value))
    })
}

/// An integer param (must be a whole number within i64).
#[unsafe(no_mangle)]
pub extern "system" fn mtb_param_long(
    session: i64,
    request_id: i64,
    path: *const u8,
    path_len: i32,
    out_value: *mut i64,
) -> i32 {
    scalar_param(session, request_id, path, path_len, out_value, "out_value", |path, value| {
        value.as_i64().ok_or_else(|| wrong(path, "an integer", value))
    })
}

/// A boolean param as 0 or 1.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_param_bool(
    session: i64,
    request_id: i64,
    path: *const u8,
    path_len: i32,
    out_value: *mut i32,
) -> i32 {
    scalar_param(session, request_id, path, path_len, out_value, "out_value", |path, value| {
        value.as_bool().map(i32::from).ok_or_else(|| wrong(path, "a boolean", value))
    })
}

/// The number of elements of an array param.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_param_count(
    session: i64,
    request_id: i64,
    path: *const u8,
    path_len: i32,
    out_count: *mut i32,
) -> i32 {
    scalar_param(session, request_id, path, path_len, out_count, "out_count", |path, value| {
        let count = value.as_array().map(Vec::len).ok_or_else(|| wrong(path, "an array", value))?;
        Ok(count.min(i32::MAX as usize) as i32)
    })
}
