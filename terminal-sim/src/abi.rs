//! The bridge's C ABI as a table of function pointers: loaded from the built DLL with libloading, or taken from the
//! `metaapi-bridge` rlib linked into this process. Either way the simulator calls exactly what the EA calls.

use std::ffi::c_void;
use std::path::Path;

use crate::error::SimError;

/// The table and its two constructors, one field per entry of the bridge's export table (`for_each_export!`), so
/// no export is listed here by hand: a new export is a new field, resolvable by `#import`, with nothing to add.
macro_rules! bridge_abi {
    ($( $(#[$flag:ident])? $field:ident : $name:ident ( $( $arg:ident : $ty:ident ),* $(,)? ); )*) => {
        /// Every `mtb_*` export of ABI.md, the test-only `mtb_debug_panic` included (the DLL exports it too).
        #[derive(Debug, Clone, Copy)]
        pub struct BridgeAbi {
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                pub $field: unsafe extern "system" fn($( metaapi_bridge::export_param_type!($ty) ),*) -> i32,
            )*
        }

        impl BridgeAbi {
            /// The exports of the `metaapi-bridge` crate linked into this process.
            pub fn linked() -> BridgeAbi {
                BridgeAbi { $( $field: metaapi_bridge::$name, )* }
            }

            /// Loads the bridge DLL at `path`. The returned library must outlive every use of the table.
            pub fn load(path: &Path) -> Result<(libloading::Library, BridgeAbi), SimError> {
                // SAFETY: loading the bridge runs its (trivial) initializers; it is our own DLL built from this
                // workspace.
                let library = unsafe { libloading::Library::new(path) }?;
                let abi = BridgeAbi {
                    $(
                        // SAFETY: the field's type is built from the table entry the bridge checks against the
                        // export's signature at compile time.
                        $field: *unsafe { library.get(concat!(stringify!($name), "\0").as_bytes()) }?,
                    )*
                };
                Ok((library, abi))
            }

            /// The address of the export named `name` (`mtb_wait`), for `#import`; None for a name the bridge does
            /// not export.
            pub fn symbol(&self, name: &str) -> Option<*mut c_void> {
                match name {
                    $( stringify!($name) => Some(self.$field as *mut c_void), )*
                    _ => None,
                }
            }
        }
    };
}

metaapi_bridge::for_each_export!(bridge_abi);

/// The ABI major version the simulator speaks.
pub const ABI_MAJOR: i32 = 1;

impl BridgeAbi {
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
