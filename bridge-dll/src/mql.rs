//! The export list (names and parameter types), and the generated MQL include and C header built from it and
//! from protocol (ABI version, status codes, method and event names, JSON-RPC error codes).

use metaapi_protocol::{ErrorCode, Route, method_infos};

use crate::registry::terminal_events;
use crate::status::{READY_BITS, STATUS_CODES};
use crate::{ABI_MAJOR, ABI_MINOR, ABI_VERSION};

/// The type of one export parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CType {
    /// `int32_t` / MQL `int`.
    I32,
    /// `int64_t` / MQL `long`.
    I64,
    /// `double`.
    F64,
    /// `const uint8_t *` / MQL `const uchar &x[]`.
    InBytes,
    /// `uint8_t *` / MQL `uchar &x[]`.
    OutBytes,
    /// `int32_t *` / MQL `int &x`.
    OutI32,
    /// `int64_t *` / MQL `long &x`.
    OutI64,
    /// `double *` / MQL `double &x`.
    OutF64,
}

impl CType {
    fn c(self) -> &'static str {
        match self {
            CType::I32 => "int32_t",
            CType::I64 => "int64_t",
            CType::F64 => "double",
            CType::InBytes => "const uint8_t *",
            CType::OutBytes => "uint8_t *",
            CType::OutI32 => "int32_t *",
            CType::OutI64 => "int64_t *",
            CType::OutF64 => "double *",
        }
    }

    fn mql(self, name: &str) -> String {
        match self {
            CType::I32 => format!("int {name}"),
            CType::I64 => format!("long {name}"),
            CType::F64 => format!("double {name}"),
            CType::InBytes => format!("const uchar &{name}[]"),
            CType::OutBytes => format!("uchar &{name}[]"),
            CType::OutI32 => format!("int &{name}"),
            CType::OutI64 => format!("long &{name}"),
            CType::OutF64 => format!("double &{name}"),
        }
    }
}

/// One export: its name and parameters. Every export returns `int32_t`.
#[derive(Debug, Clone, Copy)]
pub struct Export {
    /// Symbol name.
    pub name: &'static str,
    /// Parameters in order: name and type.
    pub params: &'static [(&'static str, CType)],
    /// Only for tests: not imported by the MQL include.
    pub test_only: bool,
}

macro_rules! rust_type {
    (I32) => { i32 };
    (I64) => { i64 };
    (F64) => { f64 };
    (InBytes) => { *const u8 };
    (OutBytes) => { *mut u8 };
    (OutI32) => { *mut i32 };
    (OutI64) => { *mut i64 };
    (OutF64) => { *mut f64 };
}

macro_rules! exports {
    ($( $name:ident ( $( $arg:ident : $ty:ident ),* ) $(test_only $test:tt)? ; )*) => {
        /// Every `mtb_*` export, in ABI.md order.
        pub const EXPORTS: &[Export] = &[
            $( Export {
                name: stringify!($name),
                params: &[ $( (stringify!($arg), CType::$ty) ),* ],
                test_only: false $( || $test )?,
            } ),*
        ];

        /// Compile-time proof that the table matches the real functions: a wrong arity or type fails to build.
        #[allow(dead_code)]
        const SIGNATURES: () = {
            $( let _: extern "system" fn($( rust_type!($ty) ),*) -> i32 = crate::exports::$name; )*
        };
    };
}

exports! {
    mtb_abi_version();
    mtb_version(buf: OutBytes, cap: I32, out_needed: OutI32);
    mtb_last_error(buf: OutBytes, cap: I32, out_needed: OutI32);
    mtb_start(config: InBytes, config_len: I32, abi_major: I32, out_session: OutI64);
    mtb_stop(session: I64);
    mtb_status(session: I64, buf: OutBytes, cap: I32, out_needed: OutI32);
    mtb_wait(session: I64, timeout_ms: I32);
    mtb_next_request(session: I64, method_buf: OutBytes, cap: I32, out_request_id: OutI64, out_needed: OutI32);
    mtb_request_params(session: I64, request_id: I64, buf: OutBytes, cap: I32, out_needed: OutI32);
    mtb_param_string(session: I64, request_id: I64, path: InBytes, path_len: I32, buf: OutBytes, cap: I32, out_needed: OutI32);
    mtb_param_double(session: I64, request_id: I64, path: InBytes, path_len: I32, out_value: OutF64);
    mtb_param_long(session: I64, request_id: I64, path: InBytes, path_len: I32, out_value: OutI64);
    mtb_param_bool(session: I64, request_id: I64, path: InBytes, path_len: I32, out_value: OutI32);
    mtb_param_count(session: I64, request_id: I64, path: InBytes, path_len: I32, out_count: OutI32);
    mtb_set_string(session: I64, id: I64, path: InBytes, path_len: I32, value: InBytes, value_len: I32);
    mtb_set_double(session: I64, id: I64, path: InBytes, path_len: I32, value: F64);
    mtb_set_long(session: I64, id: I64, path: InBytes, path_len: I32, value: I64);
    mtb_set_bool(session: I64, id: I64, path: InBytes, path_len: I32, value: I32);
    mtb_set_empty_array(session: I64, id: I64, path: InBytes, path_len: I32);
    mtb_reply_send(session: I64, request_id: I64);
    mtb_reply_json(session: I64, request_id: I64, json: InBytes, len: I32);
    mtb_reply_error(session: I64, request_id: I64, code: I32, retcode: I32, message: InBytes, message_len: I32);
    mtb_event_begin(session: I64, name: InBytes, name_len: I32, out_event_id: OutI64);
    mtb_event_send(session: I64, event_id: I64);
    mtb_publish_json(session: I64, name: InBytes, name_len: I32, json: InBytes, len: I32);
    mtb_demand(session: I64, buf: OutBytes, cap: I32, out_needed: OutI32);
    mtb_debug_panic() test_only true;
}

/// The DLL file name the MQL `#import` names (the MT4 and MT5 builds each go to their terminal's Libraries folder).
pub const DLL_NAME: &str = "metaapi_bridge.dll";

fn upper(name: &str) -> String {
    name.to_ascii_uppercase()
}

fn error_code_name(code: ErrorCode) -> String {
    // The kind names are the stable snake_case spelling of each code.
    let debug = format!("{code:?}");
    let mut name = String::new();
    for (index, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

/// `bridge-dll/mql/Include/metaapi_bridge.mqh`: constants, the `#import` block and small UTF-8 helpers, shared
/// by MQL4 and MQL5.
pub fn include_text() -> String {
    let mut out = String::new();
    out.push_str(
        "// Generated by `cargo xtask codegen` from bridge-dll (metaapi_bridge::mql::include_text). Do not edit.\n",
    );
    out.push_str(
        "// Shared by MQL4 and MQL5: the bridge ABI version, status codes, method and event names, error codes,\n",
    );
    out.push_str("// the #import of the bridge DLL, and UTF-8 helpers so no program builds or parses JSON by hand.\n");
    out.push_str("#ifndef METAAPI_BRIDGE_MQH\n#define METAAPI_BRIDGE_MQH\n\n");
    out.push_str(&format!("#define MTB_ABI_MAJOR {ABI_MAJOR}\n#define MTB_ABI_MINOR {ABI_MINOR}\n"));
    out.push_str(&format!("#define MTB_ABI_VERSION {ABI_VERSION}\n"));
    out.push_str(&format!("#define MTB_PROTOCOL_VERSION \"{}\"\n\n", metaapi_protocol::PROTOCOL_VERSION));
    out.push_str("// Status codes of every mtb_* call (>= 0 is success).\n");
    for (name, code) in STATUS_CODES {
        out.push_str(&format!("#define {name} {code}\n"));
    }
    out.push_str("\n// mtb_wait bits.\n");
    for (name, bit) in READY_BITS {
        out.push_str(&format!("#define {name} {bit}\n"));
    }
    out.push_str("\n// JSON-RPC error codes for mtb_reply_error.\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!("#define MTB_ERR_{} {}\n", error_code_name(*code), code.code()));
    }
    out.push_str("\n// Methods the gateway forwards to the terminal; each program's dispatch answers every one.\n");
    for info in method_infos().iter().filter(|info| info.route == Route::Terminal) {
        out.push_str(&format!("#define MTB_METHOD_{} \"{}\"\n", upper(info.name), info.name));
    }
    out.push_str("\n// Events the terminal publishes.\n");
    for name in terminal_events() {
        out.push_str(&format!("#define MTB_EVENT_{} \"{name}\"\n", upper(name)));
    }
    out.push_str(&format!("\n#import \"{DLL_NAME}\"\n"));
    for export in EXPORTS.iter().filter(|export| !export.test_only) {
        let params: Vec<String> = export.params.iter().map(|(name, ty)| ty.mql(name)).collect();
        out.push_str(&format!("int {}({});\n", export.name, params.join(", ")));
    }
    out.push_str("#import\n\n");
    out.push_str(MQL_HELPERS);
    out.push_str("\n#endif // METAAPI_BRIDGE_MQH\n");
    out
}

/// Hand-written MQL helpers appended to the generated include (valid MQL4 and MQL5).
const MQL_HELPERS: &str = r#"// ---- Helpers: UTF-8 in and out, growing buffers, typed params and setters ----

// UTF-8 bytes of s without the terminating zero; returns the byte count.
int MtbUtf8(const string s, uchar &out[])
{
   int n = StringToCharArray(s, out, 0, -1, CP_UTF8);
   return n > 0 ? n - 1 : 0;
}

// `bytes` is not const: CharArrayToString takes a non-const array in both references.
string MtbText(uchar &bytes[], const int n)
{
   if(n <= 0) return "";
   return CharArrayToString(bytes, 0, n, CP_UTF8);
}

// The calling thread's last bridge error.
string MtbLastError()
{
   uchar buf[]; ArrayResize(buf, 512); int needed = 0;
   int n = mtb_last_error(buf, ArraySize(buf), needed);
   if(n == MTB_E_BUFFER_TOO_SMALL) { ArrayResize(buf, needed); n = mtb_last_error(buf, ArraySize(buf), needed); }
   return MtbText(buf, n);
}

// Checks the DLL's ABI; returns false (and says why) when it does not match this include.
bool MtbAbiOk()
{
   int version = mtb_abi_version();
   if((version >> 16) != MTB_ABI_MAJOR)
   {
      PrintFormat("metaapi bridge: DLL ABI %d.%d does not match this program's %d.%d; install matching files",
                  version >> 16, version & 0xFFFF, MTB_ABI_MAJOR, MTB_ABI_MINOR);
      return false;
   }
   return true;
}

long MtbStart(const string config_json)
{
   uchar cfg[]; int n = MtbUtf8(config_json, cfg); long session = 0;
   int rc = mtb_start(cfg, n, MTB_ABI_MAJOR, session);
   if(rc < 0) { PrintFormat("metaapi bridge: mtb_start failed %d: %s", rc, MtbLastError()); return 0; }
   return session;
}

// Claims the next request: returns its method name ("" when none) and sets id.
string MtbNextRequest(const long s, long &id)
{
   uchar buf[]; ArrayResize(buf, 64); int needed = 0; id = 0;
   int n = mtb_next_request(s, buf, ArraySize(buf), id, needed);
   if(n == MTB_E_BUFFER_TOO_SMALL) { ArrayResize(buf, needed); n = mtb_next_request(s, buf, ArraySize(buf), id, needed); }
   if(n < 0) { PrintFormat("metaapi bridge: mtb_next_request %d: %s", n, MtbLastError()); id = 0; return ""; }
   return MtbText(buf, n);
}

bool MtbHas(const long s, const long id, const string path)
{
   uchar p[]; int pn = MtbUtf8(path, p); double v = 0;
   int rc = mtb_param_double(s, id, p, pn, v);
   return rc != MTB_E_NOT_FOUND;
}

string MtbParamString(const long s, const long id, const string path, const string fallback)
{
   uchar p[]; int pn = MtbUtf8(path, p);
   uchar buf[]; ArrayResize(buf, 128); int needed = 0;
   int n = mtb_param_string(s, id, p, pn, buf, ArraySize(buf), needed);
   if(n == MTB_E_BUFFER_TOO_SMALL) { ArrayResize(buf, needed); n = mtb_param_string(s, id, p, pn, buf, ArraySize(buf), needed); }
   return n >= 0 ? MtbText(buf, n) : fallback;
}

double MtbParamDouble(const long s, const long id, const string path, const double fallback)
{
   uchar p[]; int pn = MtbUtf8(path, p); double v = 0;
   return mtb_param_double(s, id, p, pn, v) == MTB_OK ? v : fallback;
}

long MtbParamLong(const long s, const long id, const string path, const long fallback)
{
   uchar p[]; int pn = MtbUtf8(path, p); long v = 0;
   return mtb_param_long(s, id, p, pn, v) == MTB_OK ? v : fallback;
}

bool MtbParamBool(const long s, const long id, const string path, const bool fallback)
{
   uchar p[]; int pn = MtbUtf8(path, p); int v = 0;
   if(mtb_param_bool(s, id, p, pn, v) != MTB_OK) return fallback;
   return v != 0;
}

int MtbParamCount(const long s, const long id, const string path)
{
   uchar p[]; int pn = MtbUtf8(path, p); int v = 0;
   return mtb_param_count(s, id, p, pn, v) == MTB_OK ? v : 0;
}

int MtbSetString(const long s, const long id, const string path, const string value)
{
   uchar p[]; int pn = MtbUtf8(path, p); uchar v[]; int vn = MtbUtf8(value, v);
   return mtb_set_string(s, id, p, pn, v, vn);
}

int MtbSetDouble(const long s, const long id, const string path, const double value)
{
   uchar p[]; int pn = MtbUtf8(path, p);
   return mtb_set_double(s, id, p, pn, value);
}

int MtbSetLong(const long s, const long id, const string path, const long value)
{
   uchar p[]; int pn = MtbUtf8(path, p);
   return mtb_set_long(s, id, p, pn, value);
}

int MtbSetBool(const long s, const long id, const string path, const bool value)
{
   uchar p[]; int pn = MtbUtf8(path, p);
   return mtb_set_bool(s, id, p, pn, value ? 1 : 0);
}

int MtbSetEmptyArray(const long s, const long id, const string path)
{
   uchar p[]; int pn = MtbUtf8(path, p);
   return mtb_set_empty_array(s, id, p, pn);
}

// Sends the built reply; a reply that fails the DLL's check is reported with the field it names.
int MtbSend(const long s, const long id)
{
   int rc = mtb_reply_send(s, id);
   if(rc < 0) PrintFormat("metaapi bridge: reply %I64d rejected %d: %s", id, rc, MtbLastError());
   return rc;
}

int MtbError(const long s, const long id, const int code, const int retcode, const string message)
{
   uchar m[]; int mn = MtbUtf8(message, m);
   return mtb_reply_error(s, id, code, retcode, m, mn);
}

int MtbUnsupported(const long s, const long id, const string message)
{
   return MtbError(s, id, MTB_ERR_UNSUPPORTED, 0, message);
}

long MtbEventBegin(const long s, const string name)
{
   uchar n[]; int nn = MtbUtf8(name, n); long id = 0;
   if(mtb_event_begin(s, n, nn, id) != MTB_OK) return 0;
   return id;
}

int MtbEventSend(const long s, const long id)
{
   int rc = mtb_event_send(s, id);
   if(rc < 0 && rc != MTB_E_QUEUE_FULL) PrintFormat("metaapi bridge: event rejected %d: %s", rc, MtbLastError());
   return rc;
}

// The clients' demand (mtb_demand), one entry per stream: kinds[i] is the stream's type (quotes, ticks, candles,
// book, account, trades, terminal), symbols[i] its symbol and timeframes[i] its timeframe ("" where it has none).
// Returns the count, or -1 when it could not be read (and says why). Read it again when mtb_wait sets
// MTB_READY_DEMAND.
int MtbDemand(const long s, string &kinds[], string &symbols[], string &timeframes[])
{
   uchar buf[]; ArrayResize(buf, 1024); int needed = 0;
   int n = mtb_demand(s, buf, ArraySize(buf), needed);
   if(n == MTB_E_BUFFER_TOO_SMALL) { ArrayResize(buf, needed); n = mtb_demand(s, buf, ArraySize(buf), needed); }
   if(n < 0) { PrintFormat("metaapi bridge: mtb_demand %d: %s", n, MtbLastError()); return -1; }
   string text = MtbText(buf, n);
   int length = StringLen(text);
   int count = 0;
   int start = 0;
   ArrayResize(kinds, 0); ArrayResize(symbols, 0); ArrayResize(timeframes, 0);
   while(start < length)
   {
      int end = StringFind(text, "\n", start);
      if(end < 0) end = length;
      string line = StringSubstr(text, start, end - start);
      int first_tab = StringFind(line, "\t", 0);
      int second_tab = first_tab < 0 ? -1 : StringFind(line, "\t", first_tab + 1);
      if(second_tab > 0)
      {
         ArrayResize(kinds, count + 1); ArrayResize(symbols, count + 1); ArrayResize(timeframes, count + 1);
         kinds[count] = StringSubstr(line, 0, first_tab);
         symbols[count] = StringSubstr(line, first_tab + 1, second_tab - first_tab - 1);
         timeframes[count] = StringSubstr(line, second_tab + 1);
         count++;
      }
      start = end + 1;
   }
   return count;
}

// Ticket strings: MT5 tickets are 64-bit, so they travel as decimal strings.
string MtbTicket(const long ticket) { return IntegerToString(ticket); }

// The protocol's broker time, `YYYY-MM-DD HH:MM:SS.mmm`: TimeToString writes the date as yyyy.mm.dd, and its dots
// (the only ones in the text) become dashes.
string MtbBrokerTime(const datetime server_time)
{
   string text = TimeToString(server_time, TIME_DATE | TIME_SECONDS);
   StringReplace(text, ".", "-");
   return text + ".000";
}
"#;

/// `bridge-dll/include/metaapi_bridge.h`: the same exports for C and C++ drivers.
pub fn c_header_text() -> String {
    let mut out = String::new();
    out.push_str(
        "/* Generated by `cargo xtask codegen` from bridge-dll (metaapi_bridge::mql::c_header_text). Do not edit.\n",
    );
    out.push_str(
        " * The mtb_* C ABI of the bridge DLL; see bridge-dll/ABI.md. Text is UTF-8 without a terminating zero. */\n",
    );
    out.push_str("#ifndef METAAPI_BRIDGE_H\n#define METAAPI_BRIDGE_H\n\n#include <stdint.h>\n\n");
    out.push_str(
        "#if defined(_WIN32) && !defined(_WIN64)\n#define MTB_CALL __stdcall\n#else\n#define MTB_CALL\n#endif\n\n",
    );
    out.push_str("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    out.push_str(&format!("#define MTB_ABI_MAJOR {ABI_MAJOR}\n#define MTB_ABI_MINOR {ABI_MINOR}\n"));
    out.push_str(&format!("#define MTB_ABI_VERSION 0x{ABI_VERSION:08X}\n\n"));
    for (name, code) in STATUS_CODES {
        out.push_str(&format!("#define {name} ({code})\n"));
    }
    out.push('\n');
    for (name, bit) in READY_BITS {
        out.push_str(&format!("#define {name} {bit}\n"));
    }
    out.push('\n');
    for export in EXPORTS {
        if export.test_only {
            out.push_str("/* Test only: panics inside the DLL's boundary and returns MTB_E_PANIC. */\n");
        }
        let params: Vec<String> = export
            .params
            .iter()
            .map(|(name, ty)| {
                let c = ty.c();
                if c.ends_with('*') { format!("{c}{name}") } else { format!("{c} {name}") }
            })
            .collect();
        let params = if params.is_empty() { "void".to_owned() } else { params.join(", ") };
        out.push_str(&format!("int32_t MTB_CALL {}({params});\n", export.name));
    }
    out.push_str("\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* METAAPI_BRIDGE_H */\n");
    out
}
