//! Loads the built cdylib with libloading and wraps its exports for the tests.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libloading::Library;
use serde_json::{Value, json};

/// Raw function pointers of every export, one field per entry of the export table (`for_each_export!`), each
/// looked up in the built library by its symbol name.
macro_rules! harness_abi {
    ($( $(#[$flag:ident])? $field:ident : $name:ident ( $( $arg:ident : $ty:ident ),* $(,)? ); )*) => {
        #[allow(missing_docs)]
        pub struct Abi {
            $( pub $field: extern "system" fn($( metaapi_bridge::export_param_type!($ty) ),*) -> i32, )*
        }

        impl Abi {
            fn load(library: &Library) -> Abi {
                Abi {
                    $( $field: {
                        // SAFETY: the field's type is built from the same table entry that is checked against the
                        // export's signature at compile time (src/exports/table.rs).
                        *unsafe { library.get(concat!(stringify!($name), "\0").as_bytes()) }
                            .unwrap_or_else(|error| panic!("{} is not exported: {error}", stringify!($name)))
                    }, )*
                }
            }
        }
    };
}

metaapi_bridge::for_each_export!(harness_abi);

/// The built shared library. `cargo test` leaves the cdylib beside the test binary in `target/<profile>/deps` and
/// copies it up to `target/<profile>` only when something else (a `cargo build`) asks for it, so a clean checkout
/// has it in `deps` alone.
pub fn library_path() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let deps = exe.parent().expect("target/<profile>/deps");
    let name = format!("{}metaapi_bridge{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    let beside = deps.join(&name);
    match deps.parent() {
        Some(profile) if !beside.exists() => profile.join(name),
        _ => beside,
    }
}

/// The loaded library, once per test process (never unloaded: its I/O thread may still be finishing).
pub fn abi() -> &'static Abi {
    static ABI: OnceLock<(Library, Abi)> = OnceLock::new();
    &ABI.get_or_init(|| {
        let path = library_path();
        // SAFETY: loading our own cdylib, whose initializers do nothing.
        let library =
            unsafe { Library::new(&path) }.unwrap_or_else(|error| panic!("load {}: {error:?}", path.display()));
        let abi = Abi::load(&library);
        (library, abi)
    })
    .1
}

/// Calls a copy-out export with a growing buffer; returns the text or the failing status.
pub fn copy_text(mut call: impl FnMut(*mut u8, i32, *mut i32) -> i32) -> Result<String, i32> {
    let mut needed = 0;
    let mut buf = vec![0u8; 16];
    loop {
        let code = call(buf.as_mut_ptr(), buf.len() as i32, &mut needed);
        if code == metaapi_bridge::MTB_E_BUFFER_TOO_SMALL {
            buf.resize(needed as usize, 0);
            continue;
        }
        if code < 0 {
            return Err(code);
        }
        return Ok(String::from_utf8(buf[..code as usize].to_vec()).expect("the DLL writes UTF-8"));
    }
}

/// This thread's last error.
pub fn last_error() -> String {
    copy_text(|buf, cap, needed| (abi().last_error)(buf, cap, needed)).expect("mtb_last_error")
}

/// A terminal identity for configs.
pub fn terminal() -> Value {
    json!({"platform": "mt5", "build": 4410, "company": "Test Broker", "server": "Test-Demo", "login": 5001,
           "account_name": "Tester", "currency": "USD", "margin_mode": "hedging"})
}

/// A config JSON for `port` and `token`.
pub fn config(port: u16, token: &str) -> String {
    json!({"gateway_url": format!("ws://127.0.0.1:{port}/terminal"), "token": token, "terminal": terminal(),
           "capabilities": ["hedging", "ticks_history"]})
    .to_string()
}

/// A started session; stopped on drop.
pub struct Session(pub i64);

impl Session {
    /// Starts a session against `port`.
    pub fn start(port: u16, token: &str) -> Session {
        let config = config(port, token);
        let mut handle = 0;
        let code = (abi().start)(config.as_ptr(), config.len() as i32, 1, &mut handle);
        assert_eq!(code, 0, "mtb_start: {}", last_error());
        Session(handle)
    }

    /// The status JSON.
    pub fn status(&self) -> Value {
        let text = copy_text(|buf, cap, needed| (abi().status)(self.0, buf, cap, needed)).expect("mtb_status");
        serde_json::from_str(&text).expect("status is JSON")
    }

    /// Waits until the link state is `state`, or fails after 10 s.
    pub fn wait_link(&self, state: &str) {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let status = self.status();
            if status["link"]["state"] == state {
                return;
            }
            assert!(Instant::now() < until, "link never became {state}: {status}");
            (abi().wait)(self.0, 50);
        }
    }

    /// Waits for a queued request and claims it: (method, id). Fails after 10 s.
    pub fn claim(&self) -> (String, i64) {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let mut id = 0;
            let method = copy_text(|buf, cap, needed| (abi().next_request)(self.0, buf, cap, &mut id, needed))
                .unwrap_or_else(|code| panic!("mtb_next_request {code}: {}", last_error()));
            if id != 0 {
                return (method, id);
            }
            assert!(Instant::now() < until, "no request arrived");
            (abi().wait)(self.0, 200);
        }
    }

    /// Sets a string in a reply or event.
    pub fn set_string(&self, id: i64, path: &str, value: &str) -> i32 {
        (abi().set_string)(self.0, id, path.as_ptr(), path.len() as i32, value.as_ptr(), value.len() as i32)
    }

    /// Sets a double.
    pub fn set_double(&self, id: i64, path: &str, value: f64) -> i32 {
        (abi().set_double)(self.0, id, path.as_ptr(), path.len() as i32, value)
    }

    /// Sets an integer.
    pub fn set_long(&self, id: i64, path: &str, value: i64) -> i32 {
        (abi().set_long)(self.0, id, path.as_ptr(), path.len() as i32, value)
    }

    /// Sets a boolean.
    pub fn set_bool(&self, id: i64, path: &str, value: bool) -> i32 {
        (abi().set_bool)(self.0, id, path.as_ptr(), path.len() as i32, i32::from(value))
    }

    /// Replies with a whole JSON result.
    pub fn reply_json(&self, id: i64, value: &Value) -> i32 {
        let text = value.to_string();
        (abi().reply_json)(self.0, id, text.as_ptr(), text.len() as i32)
    }

    /// Publishes an event as JSON.
    pub fn publish(&self, name: &str, data: &Value) -> i32 {
        let text = data.to_string();
        (abi().publish_json)(self.0, name.as_ptr(), name.len() as i32, text.as_ptr(), text.len() as i32)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        (abi().stop)(self.0);
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// UTC milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64
}
