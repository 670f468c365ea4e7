//! The bridge's C ABI as a table of function pointers: loaded from the built DLL with libloading, or taken from the
//! `metaapi-bridge` rlib linked into this process. Either way the simulator calls exactly what the EA calls.

use std::path::Path;

use crate::error::SimError;

type Buf = unsafe extern "system" fn(*mut u8, i32, *mut i32) -> i32;
type SessionBuf = unsafe extern "system" fn(i64, *mut u8, i32, *mut i32) -> i32;
type ParamGet<T> = unsafe extern "system" fn(i64, i64, *const u8, i32, *mut T) -> i32;
type SetValue<T> = unsafe extern "system" fn(i64, i64, *const u8, i32, T) -> i32;

/// Every `mtb_*` export of ABI.md version 1.1.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct BridgeAbi {
    pub abi_version: unsafe extern "system" fn() -> i32,
    pub version: Buf,
    pub last_error: Buf,
    pub start: unsafe extern "system" fn(*const u8, i32, i32, *mut i64) -> i32,
    pub stop: unsafe extern "system" fn(i64) -> i32,
    pub status: SessionBuf,
    pub wait: unsafe extern "system" fn(i64, i32) -> i32,
    pub next_request: unsafe extern "system" fn(i64, *mut u8, i32, *mut i64, *mut i32) -> i32,
    pub request_params: unsafe extern "system" fn(i64, i64, *mut u8, i32, *mut i32) -> i32,
    pub param_string: unsafe extern "system" fn(i64, i64, *const u8, i32, *mut u8, i32, *mut i32) -> i32,
    pub param_double: ParamGet<f64>,
    pub param_long: ParamGet<i64>,
    pub param_bool: ParamGet<i32>,
    pub param_count: ParamGet<i32>,
    pub set_string: unsafe extern "system" fn(i64, i64, *const u8, i32, *const u8, i32) -> i32,
    pub set_double: SetValue<f64>,
    pub set_long: SetValue<i64>,
    pub set_bool: SetValue<i32>,
    pub set_empty_array: unsafe extern "system" fn(i64, i64, *const u8, i32) -> i32,
    pub reply_send: unsafe extern "system" fn(i64, i64) -> i32,
    pub reply_json: unsafe extern "system" fn(i64, i64, *const u8, i32) -> i32,
    pub reply_error: unsafe extern "system" fn(i64, i64, i32, i32, *const u8, i32) -> i32,
    pub event_begin: unsafe extern "system" fn(i64, *const u8, i32, *mut i64) -> i32,
    pub event_send: unsafe extern "system" fn(i64, i64) -> i32,
    pub publish_json: unsafe extern "system" fn(i64, *const u8, i32, *const u8, i32) -> i32,
    pub demand: SessionBuf,
}

/// The ABI major version the simulator speaks.
pub const ABI_MAJOR: i32 = 1;

impl BridgeAbi {
    /// The exports of the `metaapi-bridge` crate linked into this process.
    pub fn linked() -> BridgeAbi {
        use metaapi_bridge as b;
        BridgeAbi {
            abi_version: b::mtb_abi_version,
            version: b::mtb_version,
            last_error: b::mtb_last_error,
            start: b::mtb_start,
            stop: b::mtb_stop,
            status: b::mtb_status,
            wait: b::mtb_wait,
            next_request: b::mtb_next_request,
            request_params: b::mtb_request_params,
            param_string: b::mtb_param_string,
            param_double: b::mtb_param_double,
            param_long: b::mtb_param_long,
            param_bool: b::mtb_param_bool,
            param_count: b::mtb_param_count,
            set_string: b::mtb_set_string,
            set_double: b::mtb_set_double,
            set_long: b::mtb_set_long,
            set_bool: b::mtb_set_bool,
            set_empty_array: b::mtb_set_empty_array,
            reply_send: b::mtb_reply_send,
            reply_json: b::mtb_reply_json,
            reply_error: b::mtb_reply_error,
            event_begin: b::mtb_event_begin,
            event_send: b::mtb_event_send,
            publish_json: b::mtb_publish_json,
            demand: b::mtb_demand,
        }
    }

    /// Loads the bridge DLL at `path`. The returned library must outlive every use of the table.
    pub fn load(path: &Path) -> Result<(libloading::Library, BridgeAbi), SimError> {
        // SAFETY: loading the bridge runs its (trivial) initializers; it is our own DLL built from this workspace.
        let library = unsafe { libloading::Library::new(path) }?;
        macro_rules! sym {
            ($name:literal) => {
                // SAFETY: the symbol's type is the one ABI.md declares for that export.
                *unsafe { library.get(concat!($name, "\0").as_bytes()) }?
            };
        }
        let abi = BridgeAbi {
            abi_version: sym!("mtb_abi_version"),
            version: sym!("mtb_version"),
            last_error: sym!("mtb_last_error"),
            start: sym!("mtb_start"),
            stop: sym!("mtb_stop"),
            status: sym!("mtb_status"),
            wait: sym!("mtb_wait"),
            next_request: sym!("mtb_next_request"),
            request_params: sym!("mtb_request_params"),
            param_string: sym!("mtb_param_string"),
            param_double: sym!("mtb_param_double"),
            param_long: sym!("mtb_param_long"),
            param_bool: sym!("mtb_param_bool"),
            param_count: sym!("mtb_param_count"),
            set_string: sym!("mtb_set_string"),
            set_double: sym!("mtb_set_double"),
            set_long: sym!("mtb_set_long"),
            set_bool: sym!("mtb_set_bool"),
            set_empty_array: sym!("mtb_set_empty_array"),
            reply_send: sym!("mtb_reply_send"),
            reply_json: sym!("mtb_reply_json"),
            reply_error: sym!("mtb_reply_error"),
            event_begin: sym!("mtb_event_begin"),
            event_send: sym!("mtb_event_send"),
            publish_json: sym!("mtb_publish_json"),
            demand: sym!("mtb_demand"),
        };
        Ok((library, abi))
    }

    /// Copies out text with the grow-and-retry protocol: `call(buf, cap, needed)`.
    pub(crate) fn copy_out(mut call: impl FnMut(*mut u8, i32, *mut i32) -> i32) -> Result<Vec<u8>, i32> {
        // Most method names and params are short; a bigger first buffer was a 4 KiB clear per call.
        let mut buf = vec![0u8; 512];
        loop {
            let mut needed = 0i32;
            let status = call(buf.as_mut_ptr(), buf.len() as i32, &mut needed);
            if status == crate::abi::MTB_E_BUFFER_TOO_SMALL {
                buf.resize((needed.max(0) as usize).max(buf.len() * 2), 0);
                continue;
            }
            if status < 0 {
                return Err(status);
            }
            buf.truncate(status as usize);
            return Ok(buf);
        }
    }

    /// This thread's last bridge error message.
    pub fn last_error_message(&self) -> String {
        let text = BridgeAbi::copy_out(|buf, cap, needed| {
            // SAFETY: buf has cap bytes and needed is a valid out pointer (copy_out's contract).
            unsafe { (self.last_error)(buf, cap, needed) }
        });
        text.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
    }
}

/// `MTB_E_BUFFER_TOO_SMALL`.
pub const MTB_E_BUFFER_TOO_SMALL: i32 = -3;
/// `mtb_wait` bit: the session is stopping.
pub const MTB_READY_STOPPING: i32 = 4;
