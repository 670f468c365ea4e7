//! The compiled MQL programs' C entry points: the three shipped programs linked into this crate (built by
//! build.rs from bridge/mql), or a program built elsewhere and loaded from a shared library (the mutation test).

use std::ffi::{CString, c_char, c_void};
use std::path::Path;
use std::sync::Arc;

use crate::error::SimError;
use crate::host::ffi::{MqlHost, MqlHostTradeRequest, MqlHostTradeResult, MqlHostTradeTransaction};

/// `<prog>_handlers()` bits (host.h).
pub mod handlers {
    /// OnInit.
    pub const ON_INIT: u32 = 1;
    /// OnDeinit.
    pub const ON_DEINIT: u32 = 2;
    /// OnTimer.
    pub const ON_TIMER: u32 = 4;
    /// OnTick.
    pub const ON_TICK: u32 = 8;
    /// OnTradeTransaction.
    pub const ON_TRADE_TRANSACTION: u32 = 16;
    /// OnBookEvent.
    pub const ON_BOOK_EVENT: u32 = 32;
    /// OnStart.
    pub const ON_START: u32 = 64;
    /// OnChartEvent.
    pub const ON_CHART_EVENT: u32 = 128;
}

/// One program's entry points.
#[derive(Clone, Copy)]
#[allow(missing_docs)]
pub struct Entries {
    pub create: unsafe extern "C" fn(*const MqlHost) -> *mut c_void,
    pub set_input: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> i32,
    pub on_init: unsafe extern "C" fn(*mut c_void) -> i32,
    pub on_deinit: unsafe extern "C" fn(*mut c_void, i32),
    pub on_timer: unsafe extern "C" fn(*mut c_void),
    pub on_tick: unsafe extern "C" fn(*mut c_void),
    pub on_trade_transaction: unsafe extern "C" fn(
        *mut c_void,
        *const MqlHostTradeTransaction,
        *const MqlHostTradeRequest,
        *const MqlHostTradeResult,
    ),
    pub on_book_event: unsafe extern "C" fn(*mut c_void, *const u16, i32),
    pub on_start: unsafe extern "C" fn(*mut c_void),
    pub on_chart_event: unsafe extern "C" fn(*mut c_void, i32, i64, f64, *const u16, i32),
    pub destroy: unsafe extern "C" fn(*mut c_void),
    pub handlers: unsafe extern "C" fn() -> u32,
    pub stopped: unsafe extern "C" fn(*mut c_void) -> i32,
}

macro_rules! linked {
    ($create:ident, $set_input:ident, $on_init:ident, $on_deinit:ident, $on_timer:ident, $on_tick:ident,
     $on_trade_transaction:ident, $on_book_event:ident, $on_start:ident, $on_chart_event:ident, $destroy:ident,
     $handlers:ident, $stopped:ident) => {{
        unsafe extern "C" {
            fn $create(host: *const MqlHost) -> *mut c_void;
            fn $set_input(program: *mut c_void, name: *const c_char, value: *const c_char) -> i32;
            fn $on_init(program: *mut c_void) -> i32;
            fn $on_deinit(program: *mut c_void, reason: i32);
            fn $on_timer(program: *mut c_void);
            fn $on_tick(program: *mut c_void);
            fn $on_trade_transaction(
                program: *mut c_void,
                transaction: *const MqlHostTradeTransaction,
                request: *const MqlHostTradeRequest,
                result: *const MqlHostTradeResult,
            );
            fn $on_book_event(program: *mut c_void, symbol: *const u16, len: i32);
            fn $on_start(program: *mut c_void);
            fn $on_chart_event(program: *mut c_void, id: i32, lparam: i64, dparam: f64, sparam: *const u16, len: i32);
            fn $destroy(program: *mut c_void);
            fn $handlers() -> u32;
            fn $stopped(program: *mut c_void) -> i32;
        }
        Entries {
            create: $create,
            set_input: $set_input,
            on_init: $on_init,
            on_deinit: $on_deinit,
            on_timer: $on_timer,
            on_tick: $on_tick,
            on_trade_transaction: $on_trade_transaction,
            on_book_event: $on_book_event,
            on_start: $on_start,
            on_chart_event: $on_chart_event,
            destroy: $destroy,
            handlers: $handlers,
            stopped: $stopped,
        }
    }};
}

/// Which shipped program to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shipped {
    /// Experts/MetaApiBridge.mq5.
    Mt5Expert,
    /// Services/MetaApiBridgeService.mq5.
    Mt5Service,
    /// Experts/MetaApiBridge.mq4.
    Mt4Expert,
}

/// A program the terminal can run: its entry points, and the library that holds them when loaded.
#[derive(Clone)]
pub struct ProgramCode {
    /// The entry points.
    pub entries: Entries,
    /// Whether it is a service (runs OnStart; has no chart).
    pub service: bool,
    _library: Option<Arc<libloading::Library>>,
}

impl std::fmt::Debug for ProgramCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("ProgramCode").field("service", &self.service).finish_non_exhaustive()
    }
}

impl ProgramCode {
    /// A shipped program, as linked into this crate.
    pub fn shipped(program: Shipped) -> ProgramCode {
        let entries = match program {
            Shipped::Mt5Expert => linked!(
                ea5_create,
                ea5_set_input,
                ea5_on_init,
                ea5_on_deinit,
                ea5_on_timer,
                ea5_on_tick,
                ea5_on_trade_transaction,
                ea5_on_book_event,
                ea5_on_start,
                ea5_on_chart_event,
                ea5_destroy,
                ea5_handlers,
                ea5_stopped
            ),
            Shipped::Mt5Service => linked!(
                service5_create,
                service5_set_input,
                service5_on_init,
                service5_on_deinit,
                service5_on_timer,
                service5_on_tick,
                service5_on_trade_transaction,
                service5_on_book_event,
                service5_on_start,
                service5_on_chart_event,
                service5_destroy,
                service5_handlers,
                service5_stopped
            ),
            Shipped::Mt4Expert => linked!(
                ea4_create,
                ea4_set_input,
                ea4_on_init,
                ea4_on_deinit,
                ea4_on_timer,
                ea4_on_tick,
                ea4_on_trade_transaction,
                ea4_on_book_event,
                ea4_on_start,
                ea4_on_chart_event,
                ea4_destroy,
                ea4_handlers,
                ea4_stopped
            ),
        };
        ProgramCode { entries, service: program == Shipped::Mt5Service, _library: None }
    }

    /// The program `name` from a shared library built with the MQL runtime (its `<name>_*` exports).
    pub fn load(path: &Path, name: &str) -> Result<ProgramCode, SimError> {
        // SAFETY: the library is an MQL program built by metaapi-mql; loading runs the C++ runtime's initializers.
        let library = unsafe { libloading::Library::new(path) }?;
        macro_rules! sym {
            ($suffix:literal) => {{
                let symbol = format!("{name}_{}\0", $suffix);
                // SAFETY: host.h fixes each export's type.
                *unsafe { library.get(symbol.as_bytes()) }?
            }};
        }
        let entries = Entries {
            create: sym!("create"),
            set_input: sym!("set_input"),
            on_init: sym!("on_init"),
            on_deinit: sym!("on_deinit"),
            on_timer: sym!("on_timer"),
            on_tick: sym!("on_tick"),
            on_trade_transaction: sym!("on_trade_transaction"),
            on_book_event: sym!("on_book_event"),
            on_start: sym!("on_start"),
            on_chart_event: sym!("on_chart_event"),
            destroy: sym!("destroy"),
            handlers: sym!("handlers"),
            stopped: sym!("stopped"),
        };
        // SAFETY: a plain export without arguments.
        let service = unsafe { (entries.handlers)() } & handlers::ON_START != 0;
        Ok(ProgramCode { entries, service, _library: Some(Arc::new(library)) })
    }

    /// The handlers the program defines.
    pub fn handlers(&self) -> u32 {
        // SAFETY: a plain export without arguments.
        unsafe { (self.entries.handlers)() }
    }
}

/// Sets an input by name; false when the program has no such input or the value does not parse.
pub(crate) fn set_input(entries: &Entries, program: *mut c_void, name: &str, value: &str) -> bool {
    let (Ok(name), Ok(value)) = (CString::new(name), CString::new(value)) else { return false };
    // SAFETY: program came from this code's create; both strings are zero-terminated.
    unsafe { (entries.set_input)(program, name.as_ptr(), value.as_ptr()) == 1 }
}
