//! The reply and event builder (escape-safe by construction), replies, errors and events.

#![allow(clippy::not_unsafe_ptr_arg_deref)]

use metaapi_protocol::types::Platform;
use metaapi_protocol::{ErrorCode, ErrorKind, ErrorObject};
use serde_json::Value;

use crate::ffi::{check_out, ffi_boundary, in_bytes, in_str, write_out};
use crate::path;
use crate::retcodes::retcode_name;
use crate::runtime;
use crate::status::{BridgeError, BridgeResult, MTB_OK};

fn set(session: i64, id: i64, path_ptr: *const u8, path_len: i32, value: Value) -> BridgeResult<i32> {
    // SAFETY: the caller's input contract (ABI.md).
    let path = unsafe { in_str(path_ptr, path_len, "path") }?;
    path::parse(path)?;
    runtime::session(session)?.with_builder(id, |root| path::set(root, path, value))?;
    Ok(MTB_OK)
}

fn parse_json(bytes: &[u8], what: &str) -> BridgeResult<Value> {
    let text = std::str::from_utf8(bytes).map_err(|_| BridgeError::InvalidUtf8("json"))?;
    serde_json::from_str(text).map_err(|error| BridgeError::InvalidJson(format!("{what}: {error}")))
}

/// Sets a string at `path` of a reply or event.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_set_string(
    session: i64,
    id: i64,
    path: *const u8,
    path_len: i32,
    value: *const u8,
    value_len: i32,
) -> i32 {
    ffi_boundary(|| {
        // SAFETY: the caller's input contract (ABI.md).
        let value = unsafe { in_str(value, value_len, "value") }?;
        set(session, id, path, path_len, Value::String(value.to_owned()))
    })
}

/// Sets a number at `path`; NaN and infinities are refused (JSON cannot carry them).
#[unsafe(no_mangle)]
pub extern "system" fn mtb_set_double(session: i64, id: i64, path: *const u8, path_len: i32, value: f64) -> i32 {
    ffi_boundary(|| {
        let number = serde_json::Number::from_f64(value)
            .ok_or_else(|| BridgeError::arg(format!("{value} is not a finite number")))?;
        set(session, id, path, path_len, Value::Number(number))
    })
}

/// Sets an integer at `path`.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_set_long(session: i64, id: i64, path: *const u8, path_len: i32, value: i64) -> i32 {
    ffi_boundary(|| set(session, id, path, path_len, Value::from(value)))
}

/// Sets a boolean (0 or 1) at `path`.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_set_bool(session: i64, id: i64, path: *const u8, path_len: i32, value: i32) -> i32 {
    ffi_boundary(|| {
        let value = match value {
            0 => false,
            1 => true,
            other => return Err(BridgeError::arg(format!("a boolean is 0 or 1, not {other}"))),
        };
        set(session, id, path, path_len, Value::Bool(value))
    })
}

/// Sets an empty array at `path`, for lists without rows.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_set_empty_array(session: i64, id: i64, path: *const u8, path_len: i32) -> i32 {
    ffi_boundary(|| set(session, id, path, path_len, Value::Array(Vec::new())))
}

/// Checks the built reply against the method's result type and sends it. On `MTB_E_INVALID_REPLY` the client
/// got `invalid_terminal_reply` and the last error names the field; the request is done either way.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_reply_send(session: i64, request_id: i64) -> i32 {
    ffi_boundary(|| runtime::session(session)?.reply(request_id, None).map(|()| MTB_OK))
}

/// Checks and sends a whole JSON result. JSON that does not parse leaves the request claimed.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_reply_json(session: i64, request_id: i64, json: *const u8, len: i32) -> i32 {
    ffi_boundary(|| {
        // SAFETY: the caller's input contract (ABI.md).
        let bytes = unsafe { in_bytes(json, len, "json") }?;
        let text = std::str::from_utf8(bytes).map_err(|_| BridgeError::InvalidUtf8("json"))?;
        // Malformed text leaves the request claimed, so the EA can answer again; only a well-formed reply that is
        // not the method's result type is answered `invalid_terminal_reply`. The scan allocates nothing.
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map_err(|error| BridgeError::InvalidJson(format!("reply: {error}")))?;
        runtime::session(session)?.reply(request_id, Some(text)).map(|()| MTB_OK)
    })
}

/// The error object for `mtb_reply_error`'s code.
fn error_object(code: i32, retcode: i32, message: &str, platform: Platform) -> BridgeResult<ErrorObject> {
    let kind = match ErrorCode::from(code) {
        ErrorCode::TradeRejected => ErrorKind::TradeRejected,
        // A trade request the server may have executed (a timeout, a connection lost while it was out) with nothing
        // in the terminal to prove it: the gateway files it `unknown` and never runs it again.
        ErrorCode::OutcomeUnknown => ErrorKind::OutcomeUnknown,
        ErrorCode::Unsupported => ErrorKind::Unsupported,
        ErrorCode::NotFound => ErrorKind::NotFound,
        ErrorCode::InvalidParams => ErrorKind::InvalidParams,
        ErrorCode::InternalError => ErrorKind::Internal,
        _ => {
            return Err(BridgeError::arg(format!(
                "error code {code} is not one a terminal answers; use -32004, -32005, -32006, -32010, -32602 or -32603"
            )));
        }
    };
    let message = if message.is_empty() { kind.code().message() } else { message };
    let mut error = match kind {
        ErrorKind::Unsupported => ErrorObject::unsupported(platform, message),
        _ => ErrorObject::new(kind, message),
    };
    if matches!(kind, ErrorKind::TradeRejected | ErrorKind::OutcomeUnknown)
        && retcode != 0
        && let Some(data) = error.data.as_mut()
    {
        data.retcode = Some(retcode);
        data.retcode_name = retcode_name(retcode).map(str::to_owned);
    }
    Ok(error)
}

/// Answers a claimed request with an error (see ABI.md for the codes).
#[unsafe(no_mangle)]
pub extern "system" fn mtb_reply_error(
    session: i64,
    request_id: i64,
    code: i32,
    retcode: i32,
    message: *const u8,
    message_len: i32,
) -> i32 {
    ffi_boundary(|| {
        // SAFETY: the caller's input contract (ABI.md).
        let message = unsafe { in_str(message, message_len, "message") }?;
        let session = runtime::session(session)?;
        let error = error_object(code, retcode, message, session.config.terminal.platform)?;
        session.reply_error(request_id, error).map(|()| MTB_OK)
    })
}

/// Opens an event builder for a terminal notification name.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_event_begin(session: i64, name: *const u8, name_len: i32, out_event_id: *mut i64) -> i32 {
    ffi_boundary(|| {
        check_out(out_event_id, "out_event_id")?;
        // SAFETY: the caller's input contract (ABI.md).
        let name = unsafe { in_str(name, name_len, "name") }?;
        let id = runtime::session(session)?.event_begin(name)?;
        // SAFETY: checked non-null above.
        unsafe { write_out(out_event_id, id) };
        Ok(MTB_OK)
    })
}

/// Checks a built event against its notification's data type and queues it. Never blocks.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_event_send(session: i64, event_id: i64) -> i32 {
    ffi_boundary(|| runtime::session(session)?.event_send(event_id).map(|()| MTB_OK))
}

/// Checks and queues an event given as JSON data. Never blocks.
#[unsafe(no_mangle)]
pub extern "system" fn mtb_publish_json(
    session: i64,
    name: *const u8,
    name_len: i32,
    json: *const u8,
    len: i32,
) -> i32 {
    ffi_boundary(|| {
        // SAFETY: the caller's input contract (ABI.md).
        let name = unsafe { in_str(name, name_len, "name") }?;
        // SAFETY: as above.
        let bytes = unsafe { in_bytes(json, len, "json") }?;
        let data = parse_json(bytes, "event")?;
        runtime::session(session)?.publish(name, data).map(|()| MTB_OK)
    })
}
